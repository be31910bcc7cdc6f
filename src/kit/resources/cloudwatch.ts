/**
 * CloudWatch alarms (lab 07 and later): create one (recorded in the ledger
 * before the call, tagged like every kit resource, so `npm run cleanup`
 * deletes it before the topics it notifies), delete one, and wait until an
 * alarm reaches a state. Cleanup itself lives in cleanup.ts.
 */
import { DeleteAlarmsCommand, DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm, type PutMetricAlarmCommandInput } from "@aws-sdk/client-cloudwatch";
import { type KitContext, pace, recordResource } from "../context.js";
import { kitTagList } from "../names.js";
import { pollUntil, TimeoutError } from "../wait.js";

/** Create or update an alarm; returns its ARN. */
export async function putMetricAlarm(ctx: KitContext, input: PutMetricAlarmCommandInput & { AlarmName: string }): Promise<string> {
  const entry = recordResource(ctx, "cloudwatch-alarm", input.AlarmName);
  const tags = kitTagList(ctx.lab, ctx.names.namespace);
  await ctx.clients.cloudwatch.send(new PutMetricAlarmCommand({ ...input, Tags: [...(input.Tags ?? []), ...tags] }));
  const arn = (await describeAlarm(ctx, input.AlarmName))?.AlarmArn;
  if (arn) ctx.ledger.setArn(entry.id, arn);
  return arn ?? input.AlarmName;
}

export async function describeAlarm(ctx: KitContext, name: string): Promise<MetricAlarm | undefined> {
  const { MetricAlarms } = await ctx.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return MetricAlarms?.[0];
}

/** Delete an alarm the kit created and drop it from the ledger. */
export async function deleteAlarm(ctx: KitContext, name: string): Promise<void> {
  await ctx.clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  const entry = ctx.ledger.list({ target: ctx.target.id }).find((e) => e.type === "cloudwatch-alarm" && e.name === name);
  if (entry) ctx.ledger.remove(entry.id);
}

/** Poll until the alarm is in `state` (returns it), or undefined after `timeoutMs`. */
export async function waitForAlarmState(ctx: KitContext, name: string, state: "OK" | "ALARM" | "INSUFFICIENT_DATA", timeoutMs = 60_000): Promise<MetricAlarm | undefined> {
  const { intervalMs, maxIntervalMs } = pace(ctx);
  try {
    return await pollUntil(
      async () => {
        const alarm = await describeAlarm(ctx, name);
        return alarm?.StateValue === state ? alarm : undefined;
      },
      { timeoutMs, intervalMs, maxIntervalMs, what: `alarm ${name} to reach ${state}` },
    );
  } catch (err) {
    if (err instanceof TimeoutError) return undefined;
    throw err;
  }
}
