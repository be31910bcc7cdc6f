/**
 * The instructor's end-of-day sweep (`npm run cleanup -- --all-participants`):
 * find everything the kit created in the account — every participant's,
 * whoever's laptop recorded it — show it per participant, and delete it in
 * dependency order with the same code as `npm run cleanup` (cleanup.ts).
 *
 * What counts as the kit's: a resource whose name starts with its
 * namespace AND that carries the kit's tag `s3-event-labs:namespace` with
 * that namespace (names.ts kitTags). Untagged resources are never touched,
 * even when their name looks like ours. What cannot carry tags is found
 * through what it belongs to: a tagged function's event source mappings and
 * log group (`/aws/lambda/<function>`), a tagged topic's subscriptions, a
 * tagged role's inline and attached policies, a tagged cluster's RDS-managed
 * secret (RDS deletes it with the cluster). EventBridge archives carry no
 * tags and belong to no tagged resource: the sweep lists those named like
 * the kit's for the instructor and deletes none.
 *
 * Discovery lists each service (S3, SQS, SNS, Lambda, Logs, DynamoDB,
 * EventBridge, IAM, CloudWatch alarms, Step Functions, RDS, Secrets Manager)
 * rather than relying on the Resource Groups Tagging API:
 * listing sees IAM (which the Tagging API does not cover) and is not
 * eventually consistent. The Tagging API (GetResources, tag
 * s3-event-labs:namespace) is then asked for anything else carrying the
 * kit's tag under the same rule (a name starting with the tag's namespace) —
 * kinds the listing above does not cover, such as a custom EventBridge bus or
 * a rule on one, or the services later labs add — and whatever the sweep
 * cannot delete is listed by ARN for deletion by hand, never silently left.
 * The local cloud serves the Tagging API too; when a cloud does not answer it
 * (or the caller may not use it), the sweep says so and goes on.
 */
import { GetBucketTaggingCommand, ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListQueuesCommand, ListQueueTagsCommand } from "@aws-sdk/client-sqs";
import { ListSubscriptionsByTopicCommand, ListTagsForResourceCommand as SnsTags, ListTopicsCommand } from "@aws-sdk/client-sns";
import { ListEventSourceMappingsCommand, ListFunctionsCommand, ListTagsCommand } from "@aws-sdk/client-lambda";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListTablesCommand, ListTagsOfResourceCommand } from "@aws-sdk/client-dynamodb";
import { ListArchivesCommand, ListRulesCommand, ListTagsForResourceCommand as EventsTags } from "@aws-sdk/client-eventbridge";
import { GetPolicyCommand, ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListRolePoliciesCommand, ListRolesCommand, ListRoleTagsCommand } from "@aws-sdk/client-iam";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { DescribeAlarmsCommand, ListTagsForResourceCommand as AlarmTags } from "@aws-sdk/client-cloudwatch";
import { ListStateMachinesCommand, ListTagsForResourceCommand as SfnTags } from "@aws-sdk/client-sfn";
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from "@aws-sdk/client-rds";
import { ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import type { Clients } from "./clients.js";
import type { Target } from "./target.js";
import type { LedgerEntry, ResourceType } from "./ledger.js";
import { errorCode } from "./wait.js";

export const NAMESPACE_TAG = "s3-event-labs:namespace";
/** sel-<participant>-<lab>-<6 hex> (names.ts). */
const NAMESPACE = /^sel-([a-z0-9]{1,12})-(\d\d)-[0-9a-f]{6}$/;

export interface SweepFound {
  entries: LedgerEntry[];
  /** Named like the kit's but untaggable and belonging to nothing tagged (EventBridge archives): listed, never deleted. */
  untaggedLookalikes: string[];
  /** Tagged resources of types the sweep cannot delete (by ARN), for the instructor to remove by hand. */
  unhandled: string[];
  /** Why the Tagging API could not be asked, when it could not. */
  taggingApi?: string;
}

type Tags = Record<string, string> | undefined;
const fromList = (list?: Array<{ Key?: string; Value?: string }>): Tags => Object.fromEntries((list ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

/** The namespace a resource belongs to, if its name and its tag both say it is the kit's. */
function kitNamespace(name: string, tags: Tags): string | undefined {
  const ns = tags?.[NAMESPACE_TAG];
  return ns && NAMESPACE.test(ns) && name.startsWith(`${ns}-`) ? ns : undefined;
}

export const participantOf = (namespace: string) => NAMESPACE.exec(namespace)?.[1] ?? "?";

async function tagsOr(p: Promise<Tags>): Promise<Tags> {
  return p.catch(() => undefined); // deleted meanwhile, or no tags at all (S3 answers NoSuchTagSet)
}

/** Page through a list call. */
async function all<T>(page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const r = await page(token);
    out.push(...r.items);
    token = r.next;
  } while (token);
  return out;
}

/** The ARN the Tagging API names an entry by (buckets, queues and log groups are listed without one). */
function entryArn(e: LedgerEntry, target: Target): string {
  if (e.arn) return e.arn;
  if (e.type === "s3-bucket") return `arn:aws:s3:::${e.name}`;
  if (e.type === "sqs-queue") return `arn:aws:sqs:${target.region}:${target.account}:${e.name}`;
  if (e.type === "log-group") return `arn:aws:logs:${target.region}:${target.account}:log-group:${e.name}`;
  return e.name; // kinds with no ARN of their own (subscriptions are ARNs already, mappings are UUIDs)
}

export async function discoverKitResources(clients: Clients, target: Target): Promise<SweepFound> {
  const entries: LedgerEntry[] = [];
  const add = (type: ResourceType, namespace: string, name: string, extra: Partial<LedgerEntry> = {}) =>
    entries.push({ id: `sweep-${entries.length}`, target: target.id, region: target.region, lab: NAMESPACE.exec(namespace)![2]!, namespace, type, name, createdAt: "", by: "sweep", ...extra });
  const ours = (name: string) => name.startsWith("sel-");

  const buckets = (await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  for (const b of buckets.filter((b) => ours(b.Name ?? ""))) {
    const ns = kitNamespace(b.Name!, await tagsOr(clients.s3.send(new GetBucketTaggingCommand({ Bucket: b.Name! })).then((r) => fromList(r.TagSet))));
    if (ns) add("s3-bucket", ns, b.Name!);
  }
  const queueUrls = await all(async (t) => {
    const r = await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: "sel-", NextToken: t }));
    return { items: r.QueueUrls ?? [], next: r.NextToken };
  });
  for (const url of queueUrls) {
    const name = url.slice(url.lastIndexOf("/") + 1);
    const ns = kitNamespace(name, await tagsOr(clients.sqs.send(new ListQueueTagsCommand({ QueueUrl: url })).then((r) => r.Tags)));
    if (ns) add("sqs-queue", ns, name);
  }
  const topics = await all(async (t) => {
    const r = await clients.sns.send(new ListTopicsCommand({ NextToken: t }));
    return { items: (r.Topics ?? []).map((x) => x.TopicArn!), next: r.NextToken };
  });
  for (const arn of topics) {
    const name = arn.slice(arn.lastIndexOf(":") + 1);
    if (!ours(name)) continue;
    const ns = kitNamespace(name, await tagsOr(clients.sns.send(new SnsTags({ ResourceArn: arn })).then((r) => fromList(r.Tags))));
    if (!ns) continue;
    add("sns-topic", ns, name, { arn });
    for (const s of (await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions ?? []) {
      if (s.SubscriptionArn?.startsWith("arn:")) add("sns-subscription", ns, s.SubscriptionArn);
    }
  }
  const functions = await all(async (t) => {
    const r = await clients.lambda.send(new ListFunctionsCommand({ Marker: t }));
    return { items: r.Functions ?? [], next: r.NextMarker };
  });
  for (const f of functions.filter((f) => ours(f.FunctionName ?? ""))) {
    const ns = kitNamespace(f.FunctionName!, await tagsOr(clients.lambda.send(new ListTagsCommand({ Resource: f.FunctionArn! })).then((r) => r.Tags)));
    if (!ns) continue;
    add("lambda-function", ns, f.FunctionName!, { arn: f.FunctionArn });
    for (const m of (await clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: f.FunctionName! }))).EventSourceMappings ?? []) add("lambda-event-source-mapping", ns, m.UUID!);
    const groups = (await clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/aws/lambda/${f.FunctionName}` }))).logGroups ?? [];
    for (const g of groups.filter((g) => g.logGroupName === `/aws/lambda/${f.FunctionName}`)) add("log-group", ns, g.logGroupName!);
  }
  const tables = await all(async (t) => {
    const r = await clients.dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: t }));
    return { items: r.TableNames ?? [], next: r.LastEvaluatedTableName };
  });
  for (const name of tables.filter(ours)) {
    const arn = `arn:aws:dynamodb:${target.region}:${target.account}:table/${name}`;
    const ns = kitNamespace(name, await tagsOr(clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn })).then((r) => fromList(r.Tags))));
    if (ns) add("dynamodb-table", ns, name, { arn });
  }
  const rules = await all(async (t) => {
    const r = await clients.events.send(new ListRulesCommand({ NamePrefix: "sel-", NextToken: t }));
    return { items: r.Rules ?? [], next: r.NextToken };
  });
  for (const rule of rules) {
    const ns = kitNamespace(rule.Name!, await tagsOr(clients.events.send(new EventsTags({ ResourceARN: rule.Arn! })).then((r) => fromList(r.Tags))));
    if (ns) add("eventbridge-rule", ns, rule.Name!, { arn: rule.Arn });
  }
  const roles = await all(async (t) => {
    const r = await clients.iam.send(new ListRolesCommand({ Marker: t }));
    return { items: r.Roles ?? [], next: r.IsTruncated ? r.Marker : undefined };
  });
  for (const role of roles.filter((r) => ours(r.RoleName ?? ""))) {
    const ns = kitNamespace(role.RoleName!, await tagsOr(clients.iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName! })).then((r) => fromList(r.Tags))));
    if (!ns) continue;
    add("iam-role", ns, role.RoleName!, { arn: role.Arn });
    for (const p of (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: role.RoleName! }))).PolicyNames ?? []) add("iam-role-policy", ns, p, { parent: role.RoleName });
    for (const p of (await clients.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.RoleName! }))).AttachedPolicies ?? []) add("iam-attached-policy", ns, p.PolicyArn!, { parent: role.RoleName });
  }
  const policies = await all(async (t) => {
    const r = await clients.iam.send(new ListPoliciesCommand({ Scope: "Local", Marker: t }));
    return { items: r.Policies ?? [], next: r.IsTruncated ? r.Marker : undefined };
  });
  for (const p of policies.filter((p) => ours(p.PolicyName ?? ""))) {
    const ns = kitNamespace(p.PolicyName!, await tagsOr(clients.iam.send(new GetPolicyCommand({ PolicyArn: p.Arn! })).then((r) => fromList(r.Policy?.Tags))));
    if (ns) add("iam-policy", ns, p.PolicyName!, { arn: p.Arn });
  }

  const alarms = await all(async (t) => {
    const r = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "sel-", NextToken: t }));
    return { items: r.MetricAlarms ?? [], next: r.NextToken };
  });
  for (const a of alarms) {
    const ns = kitNamespace(a.AlarmName!, await tagsOr(clients.cloudwatch.send(new AlarmTags({ ResourceARN: a.AlarmArn! })).then((r) => fromList(r.Tags))));
    if (ns) add("cloudwatch-alarm", ns, a.AlarmName!, { arn: a.AlarmArn });
  }
  const machines = await all(async (t) => {
    const r = await clients.sfn.send(new ListStateMachinesCommand({ nextToken: t }));
    return { items: r.stateMachines ?? [], next: r.nextToken };
  });
  for (const m of machines.filter((m) => ours(m.name ?? ""))) {
    const tags = await tagsOr(clients.sfn.send(new SfnTags({ resourceArn: m.stateMachineArn! })).then((r) => Object.fromEntries((r.tags ?? []).map((x) => [x.key ?? "", x.value ?? ""]))));
    const ns = kitNamespace(m.name!, tags);
    if (ns) add("sfn-state-machine", ns, m.name!, { arn: m.stateMachineArn });
  }
  const clusters = await all(async (t) => {
    const r = await clients.rds.send(new DescribeDBClustersCommand({ Marker: t }));
    return { items: r.DBClusters ?? [], next: r.Marker };
  });
  const kitClusters = new Set<string>();
  for (const c of clusters.filter((c) => ours(c.DBClusterIdentifier ?? ""))) {
    const ns = kitNamespace(c.DBClusterIdentifier!, fromList(c.TagList));
    if (!ns) continue;
    kitClusters.add(c.DBClusterIdentifier!);
    add("rds-db-cluster", ns, c.DBClusterIdentifier!, { arn: c.DBClusterArn });
  }
  const instances = await all(async (t) => {
    const r = await clients.rds.send(new DescribeDBInstancesCommand({ Marker: t }));
    return { items: r.DBInstances ?? [], next: r.Marker };
  });
  for (const i of instances.filter((i) => ours(i.DBInstanceIdentifier ?? ""))) {
    const ns = kitNamespace(i.DBInstanceIdentifier!, fromList(i.TagList));
    if (ns) add("rds-db-instance", ns, i.DBInstanceIdentifier!, { arn: i.DBInstanceArn, parent: i.DBClusterIdentifier });
  }
  const secrets = await all(async (t) => {
    const r = await clients.secretsManager.send(new ListSecretsCommand({ NextToken: t }));
    return { items: r.SecretList ?? [], next: r.NextToken };
  });
  // A cluster's own master secret (rds!cluster-…) is RDS's: it goes with its cluster.
  for (const sec of secrets.filter((x) => ours(x.Name ?? ""))) {
    const ns = kitNamespace(sec.Name!, fromList(sec.Tags));
    if (ns) add("secretsmanager-secret", ns, sec.Name!, { arn: sec.ARN });
  }
  const untaggedLookalikes: string[] = [];
  const archives = await clients.events.send(new ListArchivesCommand({ NamePrefix: "sel-" })).catch(() => ({ Archives: [] }));
  for (const a of archives.Archives ?? []) if (a.ArchiveName && /^sel-[a-z0-9]{1,12}-\d\d-[0-9a-f]{6}-/.test(a.ArchiveName)) untaggedLookalikes.push(`EventBridge archive ${a.ArchiveName}`);

  // Anything else carrying the kit's tag (services the per-service listing above does not cover).
  const found: SweepFound = { entries, untaggedLookalikes, unhandled: [] };
  const tagging = new ResourceGroupsTaggingAPIClient({ region: target.region, endpoint: target.endpoint, credentials: target.credentials, maxAttempts: 2 });
  try {
    const known = new Set(entries.map((e) => entryArn(e, target)));
    const tagged = await all(async (t) => {
      const r = await tagging.send(new GetResourcesCommand({ TagFilters: [{ Key: NAMESPACE_TAG }], PaginationToken: t }));
      return { items: r.ResourceTagMappingList ?? [], next: r.PaginationToken || undefined };
    });
    for (const m of tagged) {
      const arn = m.ResourceARN!;
      // The rule above: the tag names a namespace and the resource's name (some part of the ARN's resource) starts with it.
      const tags = fromList(m.Tags);
      const names = arn.split(":").slice(5).join(":").split(/[:/]/);
      if (!names.some((n) => kitNamespace(n, tags))) continue;
      if (!known.has(arn)) found.unhandled.push(arn);
    }
  } catch (err) {
    found.taggingApi = `${errorCode(err) ?? "error"}: the Resource Groups Tagging API did not answer, so only the services listed one by one were searched`;
  } finally {
    tagging.destroy();
  }
  return found;
}
