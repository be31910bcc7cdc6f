/**
 * The tables of one account and region with their tags, for the Resource
 * Groups Tagging API (core/internal-apis.ts TaggedResourcesApi). dynalite
 * keeps the tags, so they are read with its own ListTables and
 * ListTagsOfResource through the engine's internal call; an account and
 * region that never had a table is answered without starting dynalite.
 */
import type { TaggedResource } from "../../core/internal-apis.js";
import type { DynamoEngine } from "./engine.js";

export async function taggedTables(engine: DynamoEngine, account: string, region: string): Promise<TaggedResource[]> {
  if (!engine.hasData(account, region)) return [];
  const out: TaggedResource[] = [];
  let start: string | undefined;
  do {
    const { status, body } = await engine.call<{ TableNames?: string[]; LastEvaluatedTableName?: string }>(account, region, "ListTables", { Limit: 100, ...(start ? { ExclusiveStartTableName: start } : {}) });
    if (status !== 200) throw new Error(`dynalite ListTables answered ${status}`);
    for (const name of body.TableNames ?? []) {
      const arn = `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      const tags: Record<string, string> = {};
      let next: string | undefined;
      do {
        const r = await engine.call<{ Tags?: Array<{ Key: string; Value: string }>; NextToken?: string }>(account, region, "ListTagsOfResource", { ResourceArn: arn, ...(next ? { NextToken: next } : {}) });
        if (r.status !== 200) break; // deleted meanwhile
        for (const t of r.body.Tags ?? []) tags[t.Key] = t.Value;
        next = r.body.NextToken;
      } while (next);
      out.push({ arn, resourceType: "dynamodb:table", tags });
    }
    start = body.LastEvaluatedTableName;
  } while (start);
  return out;
}

/**
 * CreateTable with Tags. dynalite creates the table but drops its Tags, so
 * they are applied with dynalite's TagResource before the answer goes out:
 * as on AWS, a ListTagsOfResource right after CreateTable sees them. Tags
 * dynalite's TagResource refuses undo the creation, so the caller gets that
 * error and no table (AWS checks the tags before creating anything).
 */
export async function createTableWithTags(engine: DynamoEngine, account: string, region: string, input: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const created = await engine.call<{ TableDescription?: { TableArn?: string } }>(account, region, "CreateTable", input);
  const arn = created.body.TableDescription?.TableArn;
  if (created.status !== 200 || !arn) return created;
  const tagged = await engine.call(account, region, "TagResource", { ResourceArn: arn, Tags: input.Tags });
  if (tagged.status === 200) return created;
  await engine.call(account, region, "DeleteTable", { TableName: input.TableName });
  return tagged;
}
