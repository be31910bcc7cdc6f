/**
 * aws:ResourceTag/<key> (and the service's own <service>:ResourceTag/<key>,
 * e.g. secretsmanager:ResourceTag/aws:rds:primaryDBClusterArn) for the
 * resource a request acts on, read from the tags the service keeps through
 * its `tags:<service>` internal API (the one the Tagging API reads). Looked
 * up only when one of the policies being evaluated mentions ResourceTag, so
 * the usual request pays nothing.
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

export function mentionsResourceTag(policies: Array<NamedPolicy | undefined>): boolean {
  return policies.some((p) => p !== undefined && /ResourceTag\//i.test(p.document));
}

/** The condition keys of each resource's tags, by ARN (resources without tags get none). */
export async function resourceTagKeys(cloud: Cloud, account: string, region: string, arns: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  const byService = new Map<string, string[]>();
  for (const arn of arns) {
    const service = arn.split(":")[2];
    if (service) byService.set(service, [...(byService.get(service) ?? []), arn]);
  }
  for (const [service, wanted] of byService) {
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
