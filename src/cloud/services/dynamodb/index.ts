/**
 * DynamoDB (awsJson 1.0, `X-Amz-Target: DynamoDB_20120810.<Op>`), served by
 * the embedded `dynalite` emulator (engine.ts) rather than written by hand:
 * tables, items, the full expression language (ConditionExpression,
 * UpdateExpression, KeyConditionExpression, FilterExpression,
 * ProjectionExpression), ConditionalCheckFailedException, Query/Scan with
 * pagination, batch operations, local and global secondary indexes,
 * PAY_PER_REQUEST and tags all come from dynalite. Data lives under
 * `<dataDir>/dynamodb/<account>/<region>` (LevelDB) and survives a restart.
 *
 * This module puts these things in front of dynalite:
 * - Input checks (input-checks.ts): dynalite throws, uncatchably, on bodies it
 *   does not expect, so a body that is not a JSON object, nests past 32
 *   attribute levels, has members of the wrong type (per the SDK's model) or a
 *   null attribute value is answered here with DynamoDB's 400 before dynalite
 *   sees it.
 * - IAM: the body is read first so the authorizer sees the operation and its
 *   input (`{service: "dynamodb", operation: "PutItem", input: {TableName…}}`);
 *   a denial is answered as DynamoDB's AccessDeniedException JSON, then the
 *   body is replayed to dynalite.
 * - TTL: UpdateTimeToLive/DescribeTimeToLive are answered here (time-to-live.ts).
 * - A clear UnknownOperationException for operations dynalite does not have.
 * - CreateTable's Tags, which dynalite drops: applied with its TagResource
 *   before the answer (tagged-tables.ts), which also lists the tagged tables
 *   for the Resource Groups Tagging API (`cloud.provide("tags:dynamodb")`).
 *
 * **Gaps** (not implemented; answered with UnknownOperationException naming the operation):
 * - Transactions (TransactWriteItems, TransactGetItems), PartiQL (ExecuteStatement,
 *   BatchExecuteStatement, ExecuteTransaction), DynamoDB Streams, backups
 *   (DescribeContinuousBackups, CreateBackup…), global tables, import/export,
 *   DescribeEndpoints, DescribeLimits, resource policies.
 * - TTL settings are stored and described, but expired items are never deleted.
 * - dynalite's own gaps: error messages of a few rarely-hit validations differ
 *   slightly from AWS's; ResourceInUseException on CreateTable of an existing
 *   table has an empty message; ConsumedCapacity is approximate.
 *
 * **By design**
 * - Tables stay CREATING/DELETING/UPDATING for 30 ms instead of seconds, so the
 *   SDK waiters (waitUntilTableExists/NotExists) see the real state change but
 *   return at their first re-poll.
 * - dynalite is loaded on the first DynamoDB request, not at cloud start-up.
 * - No side door: dynalite listens on no port or socket (engine.ts); the only
 *   way to its tables is a request through the gateway and the IAM check
 *   above. Its LevelDB files under the data dir are as private as the rest of
 *   the data dir (Lambda handlers cannot see it when sandboxed; see
 *   lambda/runtime/index.ts).
 * - Requests bypass the gateway's generic JSON layer: dynalite writes the
 *   response (with its `x-amz-crc32` header, which the SDK checks) itself.
 * - Injected transient errors (core/faults/, kind "error", service dynamodb:
 *   ProvisionedThroughputExceededException, ThrottlingException,
 *   InternalServerError) reach only role sessions (a function's own calls) and
 *   are answered by the gateway before dynalite sees the request — so an SDK
 *   retry is always safe; on AWS a 500 can come after the write happened.
 *
 * **Client quirks**
 * - SDK v3 verifies `x-amz-crc32` on every DynamoDB response; dynalite sets it.
 * - The AWS CLI and the SDK both send `Content-Type: application/x-amz-json-1.0`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ServiceFactory } from "../../core/service.js";
import type { RequestContext } from "../../core/context.js";
import { AwsError, isAwsError, internalError } from "../../core/aws-error.js";
import { jsonError } from "../../protocols/json.js";
import { checkedInput } from "./input-checks.js";
import { DynamoEngine } from "./engine.js";
import { TimeToLive, type TtlSetting } from "./time-to-live.js";
import { readBody } from "../../gateway/body.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { createTableWithTags, taggedTables } from "./tagged-tables.js";

const ERROR_NAMESPACE = "com.amazonaws.dynamodb.v20120810";
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Operations dynalite implements (its index.js `validOperations`). */
const DYNALITE_OPERATIONS = new Set([
  "BatchGetItem", "BatchWriteItem", "CreateTable", "DeleteItem", "DeleteTable", "DescribeTable",
  "GetItem", "ListTables", "PutItem", "Query", "Scan", "TagResource", "UntagResource",
  "ListTagsOfResource", "UpdateItem", "UpdateTable",
]);

function send(res: ServerResponse, status: number, body: unknown, requestId: string, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": requestId,
    "content-length": Buffer.byteLength(text),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: AwsError, requestId: string): void {
  const response = jsonError(err, { version: "1.0", errorNamespace: ERROR_NAMESPACE }, requestId);
  res.writeHead(response.status, { ...response.headers, "content-length": Buffer.byteLength(response.body as string) });
  res.end(response.body);
}

const createDynamoDb: ServiceFactory = (cloud) => {
  const engine = new DynamoEngine(cloud.config.dataDir);
  const ttl = new TimeToLive(cloud.store.table<TtlSetting>("dynamodb.ttl"));
  cloud.provide<TaggedResourcesApi>("tags:dynamodb", { taggedResources: (account, region) => taggedTables(engine, account, region) });

  async function tableExists(ctx: RequestContext, tableName: unknown): Promise<void> {
    if (typeof tableName !== "string" || !tableName) {
      throw new AwsError("ValidationException", "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
    }
    const { status } = await engine.call(ctx.account, ctx.region, "DescribeTable", { TableName: tableName });
    if (status !== 200) throw new AwsError("ResourceNotFoundException", "Requested resource not found");
  }

  async function handleRaw(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, preread?: Buffer): Promise<void> {
    let body: Buffer;
    const tooLarge = () => new AwsError("ValidationException", "Request body exceeds the maximum of 16 MB.");
    try {
      // The gateway reads the body first when it verifies the signature over it.
      if (preread && preread.length > MAX_BODY_BYTES) throw tooLarge();
      body = preread ?? (await readBody(req, MAX_BODY_BYTES, tooLarge));
    } catch (err) {
      if (isAwsError(err)) sendError(res, err, ctx.requestId);
      else res.destroy(); // the client went away mid-body
      return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.slice(target.indexOf(".") + 1);
    try {
      const input = checkedInput(body, operation);
      if (target.startsWith("DynamoDB_20120810.")) {
        await cloud.authorizer.authorize(ctx, { service: "dynamodb", operation, input });
        if (operation === "UpdateTimeToLive") {
          await tableExists(ctx, input.TableName);
          send(res, 200, ttl.update(ctx.account, ctx.region, input), ctx.requestId);
          return;
        }
        if (operation === "DescribeTimeToLive") {
          await tableExists(ctx, input.TableName);
          send(res, 200, ttl.describe(ctx.account, ctx.region, String(input.TableName)), ctx.requestId);
          return;
        }
        if (!DYNALITE_OPERATIONS.has(operation)) {
          throw new AwsError(
            "UnknownOperationException",
            `The local cloud does not implement dynamodb:${operation} (its DynamoDB is dynalite; see the Gaps in src/cloud/services/dynamodb/index.ts).`,
          );
        }
        if (operation === "CreateTable" && Array.isArray(input.Tags) && input.Tags.length > 0) {
          const { status, body: answer } = await createTableWithTags(engine, ctx.account, ctx.region, input);
          send(res, status, answer, ctx.requestId);
          return;
        }
        if (operation === "DeleteTable") {
          // Forget the table's TTL setting once dynalite confirms the delete.
          res.once("finish", () => {
            if (res.statusCode === 200) ttl.forget(ctx.account, ctx.region, String(input.TableName));
          });
        }
      }
      await engine.dispatch(ctx.account, ctx.region, req, body, res);
    } catch (err) {
      if (!isAwsError(err)) cloud.log.error(`dynamodb: unexpected failure: ${(err as Error)?.stack ?? err}`);
      if (!res.headersSent) sendError(res, isAwsError(err) ? err : internalError(err), ctx.requestId);
    }
  }

  return {
    name: "dynamodb",
    signingNames: ["dynamodb"],
    targetPrefixes: ["DynamoDB_20120810"],
    handleRaw,
    reset: () => engine.reset(),
    close: () => engine.close(),
  };
};
export default createDynamoDb;
