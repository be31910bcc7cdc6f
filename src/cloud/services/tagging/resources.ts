/**
 * Every tagged resource of one account and region, gathered from the
 * services' "tags:<service>" internal APIs (core/internal-apis.ts
 * TaggedResourcesApi) at the moment of the request — the Tagging API keeps
 * no index of its own, so what it answers is never stale (AWS's index can
 * lag a tag change by a short while). Sorted by ARN, one entry per ARN.
 */
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import type { TaggedResource, TaggedResourcesApi } from "../../core/internal-apis.js";

export async function taggedResources(cloud: Cloud, account: string, region: string): Promise<TaggedResource[]> {
  const lists = await Promise.all(
    cloud.useAll<TaggedResourcesApi>("tags:").map(async (api) => {
      try {
        return await api.taggedResources(account, region);
      } catch (err) {
        // A service that cannot list its resources must not make the answer silently incomplete.
        cloud.log.error(`tagging: a service could not list its tagged resources: ${(err as Error)?.stack ?? err}`);
        throw new AwsError("InternalServiceException", "A service did not answer with its tagged resources; retry the request.", { status: 500 });
      }
    }),
  );
  const byArn = new Map<string, TaggedResource>();
  for (const r of lists.flat()) byArn.set(r.arn, r);
  return [...byArn.values()].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
