/**
 * DynamoDB operations (lab 03 and later): an on-demand table, tagged, waited
 * until ACTIVE.
 */
import { CreateTableCommand, waitUntilTableExists, type AttributeDefinition, type KeySchemaElement } from "@aws-sdk/client-dynamodb";
import { type KitContext, recordResource } from "../context.js";
import { kitTags } from "../names.js";

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
      Tags: Object.entries(kitTags(ctx.lab, ctx.names.namespace)).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  ctx.ledger.setArn(entry.id, out.TableDescription!.TableArn!);
  await waitUntilTableExists({ client: ctx.clients.dynamodb, maxWaitTime: 120, minDelay: ctx.target.kind === "aws" ? 2 : 1 }, { TableName: name });
  return { name, arn: out.TableDescription!.TableArn! };
}
