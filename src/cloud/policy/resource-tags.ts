/**
 * aws:ResourceTag/<key> (and the service's own <service>:ResourceTag/<key>,
 * e.g. secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn) for the
 * resource a request acts on, read from the tags the service keeps through
 * its `tags:<service>` internal API (the one the Tagging API reads), in the
 * resource's own account and region. Looked up only for a resource whose keys
 * one of the policies being evaluated mentions (aws:ResourceTag/ or its own
 * service's), so the usual request pays nothing.
 *
 * Gaps: S3 objects have no aws:ResourceTag here (AWS judges object tags with
 * s3:ExistingObjectTag, not built); a resource is matched by its exact ARN
 * (a Lambda function by its unqualified ARN).
 */
import type { Cloud } from "../core/cloud.js";
import type { TaggedResourcesApi } from "../core/internal-apis.js";
import type { NamedPolicy } from "./evaluate.js";

/** The ARN a resource's policy and tags are kept under: a qualified Lambda function ARN (version, alias) is its function's. */
export function unqualifiedArn(arn: string): string {
  const parts = arn.split(":");
  return parts[2] === "lambda" ? parts.slice(0, 7).join(":") : arn;
}

/**
 * The resources whose tags the policies can ask about: a policy must mention
 * aws:ResourceTag/ or the resource's own service's ResourceTag/ (a participant
 * policy's secretsmanager:ResourceTag does not make every S3 or DynamoDB
 * request read tags).
 */
export function resourcesWithTagKeys(policies: Array<NamedPolicy | undefined>, arns: string[]): string[] {
  const texts = policies.filter((p): p is NamedPolicy => p !== undefined && /ResourceTag\//i.test(p.document)).map((p) => p.document.toLowerCase());
  if (!texts.length) return [];
  return arns.filter((arn) => {
    const service = arn.split(":")[2];
    return !!service && texts.some((t) => t.includes("aws:resourcetag/") || t.includes(`${service}:resourcetag/`));
  });
}

/** The condition keys of each resource's tags, by ARN (resources without tags get none), read in the resource's own account and region. */
export async function resourceTagKeys(cloud: Cloud, caller: { account: string; region: string }, arns: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  const byScope = new Map<string, { service: string; account: string; region: string; arns: string[] }>();
  for (const arn of arns) {
    const [, , service, region, account] = arn.split(":");
    if (!service) continue;
    // S3 bucket ARNs name neither: the caller's.
    const scope = { service, account: /^\d{12}$/.test(account ?? "") ? account! : caller.account, region: region || caller.region };
    const key = `${scope.service}|${scope.account}|${scope.region}`;
    const entry = byScope.get(key) ?? { ...scope, arns: [] };
    entry.arns.push(arn);
    byScope.set(key, entry);
  }
  for (const { service, account, region, arns: wanted } of byScope.values()) {
    const api = cloud.use<TaggedResourcesApi>(`tags:${service}`);
    if (!api) continue;
    const resources = await api.taggedResources(account, region);
    for (const arn of wanted) {
      const target = unqualifiedArn(arn);
      const found = resources.find((r) => r.arn === target);
      if (!found) continue;
      const keys: Record<string, string> = {};
      for (const [k, v] of Object.entries(found.tags)) {
        keys[`aws:ResourceTag/${k}`] = v;
        keys[`${service}:ResourceTag/${k}`] = v;
      }
      out.set(arn, keys);
    }
  }
  return out;
}
