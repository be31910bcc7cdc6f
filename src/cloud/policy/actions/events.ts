/**
 * EventBridge operations → IAM actions. Buses are
 * arn:aws:events:<region>:<acct>:event-bus/<name>; rules
 * arn:aws:events:<region>:<acct>:rule/<name> on the default bus and
 * rule/<bus>/<name> on others. PutEvents is checked per entry on the entry's
 * bus, with events:source and events:detail-type condition keys. Archives are
 * arn:aws:events:<region>:<acct>:archive/<name>, replays …:replay/<name>.
 */
import type { ActionCheck, ActionMapping, Input, Where } from "./types.js";
import { listOf, str } from "./types.js";

const KNOWN = new Set([
  "CreateEventBus", "DeleteEventBus", "DescribeEventBus", "ListEventBuses", "PutRule", "DeleteRule", "DescribeRule", "EnableRule", "DisableRule",
  "ListRules", "PutTargets", "RemoveTargets", "ListTargetsByRule", "ListRuleNamesByTarget", "PutEvents", "TestEventPattern", "TagResource",
  "UntagResource", "ListTagsForResource", "PutPermission", "RemovePermission",
  "CreateArchive", "DescribeArchive", "ListArchives", "UpdateArchive", "DeleteArchive", "StartReplay", "DescribeReplay", "ListReplays", "CancelReplay",
]);

const RULE_OPS = new Set(["PutRule", "DeleteRule", "DescribeRule", "EnableRule", "DisableRule", "PutTargets", "RemoveTargets", "ListTargetsByRule"]);

export function eventsActions(operation: string, input: Input, where: Where): ActionMapping {
  const busArn = (bus: string | undefined) =>
    bus?.startsWith("arn:") ? bus : `arn:aws:events:${where.region}:${where.account}:event-bus/${bus ?? "default"}`;
  const action = `events:${operation}`;
  const checks: ActionCheck[] = [];
  if (operation === "PutEvents") {
    for (const entry of listOf(input.Entries)) {
      const e = (entry ?? {}) as Input;
      checks.push({ action, resource: busArn(str(e, "EventBusName")), context: { "events:source": str(e, "Source"), "events:detail-type": str(e, "DetailType") } });
    }
    if (checks.length === 0) checks.push({ action, resource: busArn(undefined) });
  } else if (RULE_OPS.has(operation)) {
    const rule = str(input, "Name", "Rule") ?? "*";
    const busRef = str(input, "EventBusName");
    const bus = busRef?.startsWith("arn:") ? busRef.split("/").pop() : busRef;
    const resource = rule.startsWith("arn:") ? rule : `arn:aws:events:${where.region}:${where.account}:rule/${bus && bus !== "default" ? `${bus}/` : ""}${rule}`;
    checks.push({ action, resource });
  } else if (["CreateArchive", "DescribeArchive", "UpdateArchive", "DeleteArchive"].includes(operation)) {
    checks.push({ action, resource: `arn:aws:events:${where.region}:${where.account}:archive/${str(input, "ArchiveName") ?? "*"}` });
  } else if (["StartReplay", "DescribeReplay", "CancelReplay"].includes(operation)) {
    checks.push({ action, resource: `arn:aws:events:${where.region}:${where.account}:replay/${str(input, "ReplayName") ?? "*"}` });
  } else if (operation === "ListArchives" || operation === "ListReplays") {
    checks.push({ action, resource: "*" });
  } else if (operation === "CreateEventBus" || operation === "DeleteEventBus" || operation === "DescribeEventBus") {
    checks.push({ action, resource: busArn(str(input, "Name")) });
  } else {
    checks.push({ action, resource: str(input, "ResourceARN") ?? "*" });
  }
  return { checks, guessed: !KNOWN.has(operation) };
}
