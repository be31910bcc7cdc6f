/**
 * DynamoDB operations (lab 03 and later): an on-demand table, tagged, waited
 * until ACTIVE; reading a small table back as plain values (graders).
 */
import { CreateTableCommand, ScanCommand, waitUntilTableExists, type AttributeDefinition, type AttributeValue, type KeySchemaElement } from "@aws-sdk/client-dynamodb";
import { type KitContext, recordResource } from "../context.js";
import { kitTagList } from "../names.js";

export async function createTable(ctx: KitContext, name: string, keys: { partition: AttributeDefinition; sort?: AttributeDefinition }): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "dynamodb-table", name);
  const keySchema: KeySchemaElement[] = [{ AttributeName: keys.partition.AttributeName!, KeyType: "HASH" }];
  if (keys.sort) keySchema.push({ AttributeName: keys.sort.AttributeName!, KeyType: "RANGE" });
  const out = await ctx.clients.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: keys.sort ? [keys.partition, keys.sort] : [keys.partition],
      KeySchema: keySchema,
      Tags: kitTagList(ctx.lab, ctx.names.namespace),
    }),
  );
  ctx.ledger.setArn(entry.id, out.TableDescription!.TableArn!);
  await waitUntilTableExists({ client: ctx.clients.dynamodb, maxWaitTime: 120, minDelay: ctx.target.kind === "aws" ? 2 : 1 }, { TableName: name });
  return { name, arn: out.TableDescription!.TableArn! };
}

export type Item = Record<string, string | number | boolean | null>;

function plain(av: AttributeValue): string | number | boolean | null {
  if (av.S !== undefined) return av.S;
  if (av.N !== undefined) return Number(av.N);
  if (av.BOOL !== undefined) return av.BOOL;
  if (av.NULL) return null;
  return JSON.stringify(av);
}

/** Every item of a (small) table, as plain values, read consistently. */
export async function scanItems(ctx: KitContext, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await ctx.clients.dynamodb.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const raw of out.Items ?? []) items.push(Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, plain(v)])));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}
