/** AddTagsToResource, RemoveTagsFromResource, ListTagsForResource on cluster and instance ARNs. */
import { AwsError } from "../../core/aws-error.js";
import type { QueryHandler } from "../../protocols/query.js";
import { members } from "../../protocols/xml.js";
import { clusterNotFound } from "./clusters.js";
import { instanceNotFound } from "./instances.js";
import { mergeKeyValueTags } from "../../core/tags.js";
import { listParam, tagsParam } from "./params.js";
import { recordKey, type RdsState, type Tag } from "./state.js";

export function tagHandlers(state: RdsState): Record<string, QueryHandler> {
  function withTags(arn: unknown, change?: (tags: Tag[]) => Tag[]): Tag[] {
    const parts = typeof arn === "string" ? arn.split(":") : [];
    if (parts.length !== 7 || parts[0] !== "arn" || parts[2] !== "rds") {
      throw new AwsError("InvalidParameterValue", `The specified resource name does not match an RDS resource in this region: ${String(arn)}`);
    }
    const key = recordKey(parts[4]!, parts[3]!, parts[6]!.toLowerCase());
    if (parts[5] === "cluster") {
      const c = state.clusters.get(key);
      if (!c) throw clusterNotFound(parts[6]!);
      if (change) (c.tags = change(c.tags)), state.clusters.set(key, c);
      return c.tags;
    }
    if (parts[5] === "db") {
      const i = state.instances.get(key);
      if (!i) throw instanceNotFound(parts[6]!);
      if (change) (i.tags = change(i.tags)), state.instances.set(key, i);
      return i.tags;
    }
    throw new AwsError("InvalidParameterValue", `The local cloud tags DB clusters and DB instances only, not ${parts[5]} resources.`);
  }
  return {
    AddTagsToResource(_ctx, input) {
      const added = tagsParam(input.Tags);
      withTags(input.ResourceName, (tags) => mergeKeyValueTags(tags, added));
      return {};
    },
    RemoveTagsFromResource(_ctx, input) {
      const keys = listParam(input.TagKeys).map(String);
      withTags(input.ResourceName, (tags) => tags.filter((t) => !keys.includes(t.Key)));
      return {};
    },
    ListTagsForResource(_ctx, input) {
      return { TagList: members(withTags(input.ResourceName), "Tag") };
    },
  };
}
