/**
 * DynamoDB operations → IAM actions on table ARNs
 * (arn:aws:dynamodb:<region>:<acct>:table/<name>, ".../index/<name>" for a
 * Query or Scan on an index). Batch and transaction operations are checked
 * once per table they touch: BatchWriteItem/BatchGetItem as themselves,
 * TransactWriteItems as PutItem/UpdateItem/DeleteItem/ConditionCheckItem per
 * item and TransactGetItems as GetItem, as the DynamoDB developer guide says.
 */
import type { ActionCheck, ActionMapping, Input, Where } from "./types.js";
import { listOf, str } from "./types.js";

const KNOWN = new Set([
  "CreateTable", "DeleteTable", "DescribeTable", "ListTables", "UpdateTable", "PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan",
  "BatchWriteItem", "BatchGetItem", "TransactWriteItems", "TransactGetItems", "DescribeTimeToLive", "UpdateTimeToLive", "TagResource",
  "UntagResource", "ListTagsOfResource", "DescribeLimits", "DescribeEndpoints", "ExecuteStatement",
]);

export function dynamodbActions(operation: string, input: Input, where: Where): ActionMapping {
  const table = (name: string) => (name.startsWith("arn:") ? name : `arn:aws:dynamodb:${where.region}:${where.account}:table/${name}`);
  const checks: ActionCheck[] = [];
  if (operation === "BatchWriteItem" || operation === "BatchGetItem") {
    const tables = Object.keys((input.RequestItems as Record<string, unknown> | undefined) ?? {});
    for (const name of tables) checks.push({ action: `dynamodb:${operation}`, resource: table(name) });
  } else if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    const kinds: Record<string, string> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem", Get: "GetItem" };
    for (const item of listOf(input.TransactItems)) {
      for (const [kind, body] of Object.entries((item ?? {}) as Record<string, unknown>)) {
        const name = body && typeof body === "object" ? str(body as Input, "TableName") : undefined;
        if (name && kinds[kind]) checks.push({ action: `dynamodb:${kinds[kind]}`, resource: table(name) });
      }
    }
  } else {
    const name = str(input, "TableName") ?? str(input, "ResourceArn");
    const index = str(input, "IndexName");
    const resource = name ? table(name) + (index && (operation === "Query" || operation === "Scan") ? `/index/${index}` : "") : "*";
    checks.push({ action: `dynamodb:${operation}`, resource });
  }
  if (checks.length === 0) checks.push({ action: `dynamodb:${operation}`, resource: "*" });
  return { checks, guessed: !KNOWN.has(operation) };
}
