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
