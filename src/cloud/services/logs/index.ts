/**
 * CloudWatch Logs (awsJson 1.1, X-Amz-Target Logs_20140328.<Op>): log groups,
 * log streams and their events, persisted in the cloud's store. Lambda writes
 * every function's START / END / REPORT lines and console output here through
 * the internal API `cloud.provide("logs", LogsInternalApi)`, into
 * `/aws/lambda/<function>` and one stream per execution environment named as
 * AWS names them (`YYYY/MM/DD/[$LATEST]<32 hex>`).
 *
 * Operations: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
 * PutRetentionPolicy, DeleteRetentionPolicy, CreateLogStream,
 * DeleteLogStream, DescribeLogStreams, PutLogEvents, GetLogEvents,
 * FilterLogEvents, ListTagsLogGroup, TagLogGroup, TagResource,
 * UntagResource, ListTagsForResource (log groups).
 * Files: state.ts (records, event batches, in-memory index), groups.ts,
 * events.ts (PutLogEvents, GetLogEvents and its tokens), filter.ts
 * (FilterLogEvents), filter-pattern.ts, errors.ts.
 *
 * **Gaps** (not implemented)
 * - Filter patterns: plain terms, "quoted phrases", ?optional and -excluded
 *   terms, and JSON patterns (`{ $.x = 1 && $.y = "a*" }`, json-filter-pattern.ts,
 *   without regex values or `$.*`); space-delimited (`[a, b]`) and regex
 *   (`%…%`) patterns are refused with InvalidParameterException.
 * - No metric filters, subscription filters, Logs Insights queries
 *   (StartQuery…), StartLiveTail, export tasks, data protection, KMS keys,
 *   log group classes other than STANDARD, tags on log streams or other
 *   resources (log groups only).
 * - The 1 MB response-size cap of GetLogEvents / FilterLogEvents is not
 *   applied (only the event-count limit).
 * - DescribeLogGroups/DescribeLogStreams tokens are offsets: a group created
 *   between two pages can shift the pages.
 *
 * **By design**
 * - Sizes as on AWS: PutLogEvents refuses an event over 1,048,576 bytes
 *   ("Log event too large", counting 26 bytes of overhead per event; AWS's
 *   limit was 256 KB until April 2025) and a batch over 1,048,576 bytes
 *   ("Upload too large"), both InvalidParameterException. Lambda splits its
 *   functions' lines at 256 KB (lambda/runtime/log-sink.ts).
 * - A local limit AWS does not have: all events are kept in memory, so past
 *   LOCALCLOUD_LOGS_MAX_BYTES (default 256 MiB) the oldest batches are
 *   deleted, with one warning (state.ts). GetLogEvents tokens taken before
 *   such a deletion point a few events further on.
 * - Malformed input (issue 11): JSON bodies are type-checked against the SDK's model
 *   (SerializationException); a body that is not a JSON object or nests past 100 levels too.
 * - Retention is applied when reading: events older than the retention are
 *   hidden (and rejected by PutLogEvents) rather than deleted by a sweeper.
 * - sequenceToken is accepted and ignored (as AWS has done since 2023);
 *   nextSequenceToken is still returned for old clients.
 * - Lambda's writes create the log group and stream when missing. Whether the
 *   function's role may write them at all is Lambda's decision (see the
 *   Lambda service header); logs:CreateLogGroup is not required.
 *
 * **Client quirks**
 * - `aws logs tail` exists only in AWS CLI v2; it calls FilterLogEvents with
 *   startTime and (with --follow) polls it. CLI v1 has get-log-events and
 *   filter-log-events.
 * - Clients send logGroupIdentifier (name or ARN) instead of logGroupName on
 *   newer operations; both are accepted where AWS accepts them.
 * - CLI v2 `logs tail` sends `interleaved: true` (deprecated, always true):
 *   accepted and ignored.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { LogsInternalApi } from "../../core/internal-apis.js";
import { jsonProtocol } from "../../protocols/json.js";
import { LogsState, groupKey, streamKey } from "./state.js";
import { groupHandlers } from "./groups.js";
import { eventHandlers } from "./events.js";
import { filterHandlers } from "./filter.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

const createLogs: ServiceFactory = (cloud) => {
  const state = new LogsState(cloud);

  const internal: LogsInternalApi = {
    append(account, region, logGroupName, logStreamName, events) {
      const gKey = groupKey(account, region, logGroupName);
      if (!state.groups.has(gKey)) state.groups.set(gKey, { account, region, name: logGroupName, creationTime: Date.now(), tags: {} });
      const sKey = streamKey(account, region, logGroupName, logStreamName);
      let stream = state.streams.get(sKey);
      if (!stream) {
        stream = { account, region, group: logGroupName, name: logStreamName, creationTime: Date.now(), storedBytes: 0 };
        state.createStream(stream);
      }
      const now = Date.now();
      state.append(stream, events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: now })));
    },
  };
  cloud.provide<LogsInternalApi>("logs", internal);
  // The Tagging API names a log group without the trailing ":*" DescribeLogGroups shows.
  cloud.provide<TaggedResourcesApi>("tags:logs", {
    taggedResources: (account, region) =>
      taggedIn(state.groups.values(), account, region, "logs:log-group", { arnOf: (g) => `arn:aws:logs:${region}:${account}:log-group:${g.name}` }),
  });

  return {
    name: "logs",
    signingNames: ["logs"],
    targetPrefixes: ["Logs_20140328"],
    handle: jsonProtocol({
      service: "logs",
      version: "1.1",
      errorNamespace: "com.amazonaws.logs",
      operations: { ...groupHandlers(state), ...eventHandlers(state), ...filterHandlers(state) },
    }),
    reset: () => state.reset(),
  };
};
export default createLogs;
