/**
 * Resource Groups Tagging API (awsJson 1.1, `X-Amz-Target:
 * ResourceGroupsTaggingAPI_20170126.<Op>`, signing name `tagging`, IAM prefix
 * `tag`): find the caller's tagged resources across services by tag and type
 * — what the instructor's sweep (src/kit/sweep.ts) asks for "anything else
 * carrying the kit's tag". It keeps no state: each service lists its own
 * tagged resources through `cloud.provide("tags:<service>",
 * TaggedResourcesApi)` (core/internal-apis.ts), read with
 * `cloud.useAll("tags:")`; no service folder is imported.
 *
 * Covered: S3 buckets (`s3:bucket`), SQS queues (`sqs:queue`), SNS topics
 * (`sns:topic`), Lambda functions (`lambda:function`), DynamoDB tables
 * (`dynamodb:table`), log groups (`logs:log-group`), EventBridge rules and
 * custom event buses (`events:rule`, `events:event-bus`), Step Functions
 * state machines (`states:stateMachine`), RDS clusters and instances
 * (`rds:cluster`, `rds:db`), Secrets Manager secrets
 * (`secretsmanager:secret`), CloudWatch alarms (`cloudwatch:alarm`).
 *
 * Operations: GetResources (TagFilters, ResourceTypeFilters,
 * ResourceARNList, ResourcesPerPage 1–100, TagsPerPage 100–500,
 * PaginationToken), GetTagKeys, GetTagValues. Files: handlers.ts
 * (operations, validation, paging), resources.ts (gathering), errors.ts.
 *
 * **Gaps** (not implemented)
 * - TagResources / UntagResources (tag through each service's own API),
 *   GetComplianceSummary, Start/DescribeReportCreation, ListRequiredTags:
 *   UnknownOperationException. No tag policies: IncludeComplianceDetails is
 *   accepted and no ComplianceDetails are returned.
 * - Resources that had tags and lost them all are not returned. AWS's API
 *   reference says that without TagFilters it also lists resources that
 *   "ever had a tag", with `"Tags": []`; the services here do not remember
 *   whether a resource was ever tagged.
 * - Resources of kinds the local services do not tag are absent (Lambda
 *   event source mappings, SNS subscriptions, EventBridge archives…).
 * - GetTagKeys / GetTagValues answer in one page (sorted); their
 *   PaginationToken is always "".
 *
 * **By design**
 * - IAM is not covered: AWS's list of supported services says GetResources
 *   does not return IAM users and roles (the sweep lists IAM itself).
 * - Only the caller's account and region. S3 buckets are global by name but
 *   listed in the region they were created in (the API works on "resources
 *   located in the specified Region"). UNCERTAIN: not checked against AWS
 *   for buckets whose region differs from the request's.
 * - Answers are never stale: tags are read from each service at request
 *   time (AWS's tag index can lag a change by seconds to minutes).
 * - Secrets scheduled for deletion and RDS clusters being deleted are left
 *   out (UNCERTAIN whether AWS still lists them while they linger), so the
 *   sweep does not report what it has just deleted.
 * - With no ResourcesPerPage a page holds up to 50 resources (AWS documents
 *   no default). Results come in ARN order; the PaginationToken carries the
 *   last ARN of the page, and the last page's token is "" (as AWS ends).
 * - Error messages are this cloud's own words; the error code is AWS's
 *   (InvalidParameterException for every bad or conflicting parameter).
 *
 * **Client quirks**
 * - SDK v3's paginator (paginateGetResources) and the CLI stop on an empty
 *   PaginationToken; the CLI pages by itself unless --no-paginate is given.
 * - `sqs:queue` and `sns:topic` are not spelled in those services' ARNs
 *   (which carry no resource type); the service alone ("sqs", "sns") is the
 *   filter that certainly works on AWS. UNCERTAIN: the typed forms.
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";
import { taggingHandlers } from "./handlers.js";

const createTagging: ServiceFactory = (cloud) => ({
  name: "tagging",
  signingNames: ["tagging"],
  targetPrefixes: ["ResourceGroupsTaggingAPI_20170126"],
  handle: jsonProtocol({
    service: "tagging",
    version: "1.1",
    errorNamespace: "com.amazonaws.resourcegroupstaggingapi",
    operations: taggingHandlers(cloud),
  }),
});
export default createTagging;
