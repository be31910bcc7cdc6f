/**
 * State machines: Create (STANDARD | EXPRESS; name, definition and role
 * validated as AWS validates them), Describe, DescribeStateMachineForExecution,
 * List, Update, Delete (running executions are stopped), and tags
 * (`[{key, value}]`, lower-case as the Step Functions API spells them).
 */
import { randomUUID } from "node:crypto";
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { machineArn, type MachineRecord, type MachineType, type SfnState } from "./state.js";
import { definitionProblems, validateDefinition } from "./definition.js";
import { validateRoleArn, type MachineRoles } from "./roles.js";
import { constraint, executionNotFound, invalidArn, machineNotFound, resourceNotFound, validation } from "./errors.js";
import type { Executor } from "./executor.js";

const MAX_DEFINITION = 1_048_576;
const MACHINE_ARN = /^arn:aws:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

/** Names of state machines and executions: 1–80 characters, none of AWS's forbidden ones. */
export function validName(name: unknown): name is string {
  return typeof name === "string" && name.length >= 1 && name.length <= 80 && !/[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/.test(name);
}

export function epoch(iso: string | undefined): number | undefined {
  return iso ? Date.parse(iso) / 1000 : undefined;
}

export function requireMachine(state: SfnState, arn: unknown): MachineRecord {
  if (typeof arn !== "string" || !arn) throw constraint(arn, "stateMachineArn", "Member must not be null");
  if (!MACHINE_ARN.test(arn)) throw invalidArn(arn);
  const machine = state.machines.get(arn);
  if (!machine) throw machineNotFound(arn);
  return machine;
}

function tagsFrom(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags === undefined || tags === null) return out;
  if (!Array.isArray(tags)) throw validation("tags must be a list of {key, value}.");
  for (const t of tags as Array<{ key?: unknown; value?: unknown }>) {
    if (typeof t?.key !== "string" || !t.key || t.key.length > 128) throw constraint(t?.key, "tags.member.key", "Member must have length between 1 and 128");
    out[t.key] = typeof t.value === "string" ? t.value : "";
  }
  return out;
}

function describe(m: MachineRecord) {
  return {
    stateMachineArn: m.arn,
    name: m.name,
    status: "ACTIVE",
    definition: m.definition,
    roleArn: m.roleArn,
    type: m.type,
    creationDate: epoch(m.createdAt),
    loggingConfiguration: m.loggingConfiguration ?? { level: "OFF", includeExecutionData: false },
    tracingConfiguration: m.tracingConfiguration ?? { enabled: false },
    description: m.description,
    revisionId: m.revisionId,
  };
}

export function machineHandlers(state: SfnState, roles: MachineRoles, executor: Executor) {
  /** The definition field's own constraints (present, at most MAX_DEFINITION characters). */
  function definitionText(definition: unknown): string {
    if (typeof definition !== "string" || !definition) throw constraint(definition, "definition", "Member must not be null");
    if (definition.length > MAX_DEFINITION) throw constraint("<definition>", "definition", `Member must have length less than or equal to ${MAX_DEFINITION}`);
    return definition;
  }

  function checkDefinition(definition: unknown): string {
    const text = definitionText(definition);
    validateDefinition(text);
    return text;
  }

  function findTaggable(arn: unknown): MachineRecord {
    if (typeof arn !== "string" || !arn) throw constraint(arn, "resourceArn", "Member must not be null");
    const machine = state.machines.get(arn);
    if (!machine) throw resourceNotFound(arn);
    return machine;
  }

  return {
    CreateStateMachine(ctx: RequestContext, input: { name?: string; definition?: string; roleArn?: string; type?: string; loggingConfiguration?: unknown; tracingConfiguration?: unknown; tags?: unknown }) {
      if (input.name === undefined) throw constraint(undefined, "name", "Member must not be null");
      if (!validName(input.name)) throw new AwsError("InvalidName", `Invalid Name: '${String(input.name)}'`);
      const type = (input.type ?? "STANDARD") as MachineType;
      if (type !== "STANDARD" && type !== "EXPRESS") throw constraint(type, "type", "Member must satisfy enum value set: [STANDARD, EXPRESS]");
      const definition = checkDefinition(input.definition);
      const roleArn = validateRoleArn(input.roleArn);
      const arn = machineArn(ctx.region, ctx.account, input.name);
      const existing = state.machines.get(arn);
      if (existing) {
        // AWS answers an identical request with the existing machine (idempotent), any other with StateMachineAlreadyExists.
        if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) return { stateMachineArn: arn, creationDate: epoch(existing.createdAt) };
        throw new AwsError("StateMachineAlreadyExists", `State Machine Already Exists: '${arn}'`);
      }
      roles.checkTrust(roleArn, arn);
      const record: MachineRecord = {
        arn,
        name: input.name,
        account: ctx.account,
        region: ctx.region,
        type,
        definition,
        roleArn,
        loggingConfiguration: input.loggingConfiguration,
        tracingConfiguration: input.tracingConfiguration,
        tags: tagsFrom(input.tags),
        createdAt: new Date().toISOString(),
        revisionId: randomUUID(),
      };
      state.machines.set(arn, record);
      return { stateMachineArn: arn, creationDate: epoch(record.createdAt) };
    },

    DescribeStateMachine(_ctx: RequestContext, input: { stateMachineArn?: string }) {
      return describe(requireMachine(state, input.stateMachineArn));
    },

    DescribeStateMachineForExecution(_ctx: RequestContext, input: { executionArn?: string }) {
      const execution = typeof input.executionArn === "string" ? state.executions.get(input.executionArn) : undefined;
      if (!execution) throw executionNotFound(String(input.executionArn));
      const machine = state.machines.get(execution.machineArn);
      if (!machine) throw machineNotFound(execution.machineArn);
      return { ...describe({ ...machine, definition: execution.definition, roleArn: execution.roleArn }), updateDate: epoch(machine.updatedAt) };
    },

    ListStateMachines(ctx: RequestContext, input: { maxResults?: number; nextToken?: string }) {
      const all = [...state.machines.values()]
        .filter((m) => m.account === ctx.account && m.region === ctx.region)
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: epoch(m.createdAt) }));
      return page(all, input.maxResults, input.nextToken, "stateMachines");
    },

    UpdateStateMachine(_ctx: RequestContext, input: { stateMachineArn?: string; definition?: string; roleArn?: string; loggingConfiguration?: unknown; tracingConfiguration?: unknown }) {
      const machine = requireMachine(state, input.stateMachineArn);
      if (input.definition === undefined && input.roleArn === undefined && input.loggingConfiguration === undefined && input.tracingConfiguration === undefined) {
        throw new AwsError("MissingRequiredParameter", "Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified");
      }
      const definition = input.definition !== undefined ? checkDefinition(input.definition) : machine.definition;
      const roleArn = input.roleArn !== undefined ? validateRoleArn(input.roleArn) : machine.roleArn;
      if (input.roleArn !== undefined) roles.checkTrust(roleArn, machine.arn);
      const updated: MachineRecord = {
        ...machine,
        definition,
        roleArn,
        loggingConfiguration: input.loggingConfiguration ?? machine.loggingConfiguration,
        tracingConfiguration: input.tracingConfiguration ?? machine.tracingConfiguration,
        updatedAt: new Date().toISOString(),
        revisionId: randomUUID(),
      };
      state.machines.set(machine.arn, updated);
      return { updateDate: epoch(updated.updatedAt), revisionId: updated.revisionId };
    },

    DeleteStateMachine(_ctx: RequestContext, input: { stateMachineArn?: string }) {
      const arn = input.stateMachineArn;
      if (typeof arn !== "string" || !arn) throw constraint(arn, "stateMachineArn", "Member must not be null");
      if (!MACHINE_ARN.test(arn)) throw invalidArn(arn);
      if (!state.machines.has(arn)) return {}; // AWS answers success for a machine that is already gone
      for (const execution of state.executions.values()) {
        if (execution.machineArn === arn && executor.isRunning(execution.arn)) executor.stop(execution.arn, "States.Aborted", "The state machine was deleted.");
      }
      state.machines.delete(arn);
      return {};
    },

    /** ValidateStateMachineDefinition: the same checks as CreateStateMachine, as diagnostics instead of an error. */
    ValidateStateMachineDefinition(_ctx: RequestContext, input: { definition?: string; type?: string; severity?: string; maxResults?: number }) {
      const definition = definitionText(input.definition);
      const max = input.maxResults && input.maxResults > 0 ? Math.min(input.maxResults, 100) : 100;
      const diagnostics = definitionProblems(definition).map((p) => {
        const m = /^([A-Z_]+): ([\s\S]*?)(?: at (\/\S*))?$/.exec(p);
        return { severity: "ERROR", code: m?.[1] ?? "SCHEMA_VALIDATION_FAILED", message: m?.[2] ?? p, location: m?.[3] };
      });
      return { result: diagnostics.length ? "FAIL" : "OK", diagnostics: diagnostics.slice(0, max), truncated: diagnostics.length > max };
    },

    TagResource(_ctx: RequestContext, input: { resourceArn?: string; tags?: unknown }) {
      const machine = findTaggable(input.resourceArn);
      state.machines.set(machine.arn, { ...machine, tags: { ...machine.tags, ...tagsFrom(input.tags) } });
      return {};
    },

    UntagResource(_ctx: RequestContext, input: { resourceArn?: string; tagKeys?: string[] }) {
      const machine = findTaggable(input.resourceArn);
      const drop = new Set(input.tagKeys ?? []);
      state.machines.set(machine.arn, { ...machine, tags: Object.fromEntries(Object.entries(machine.tags).filter(([k]) => !drop.has(k))) });
      return {};
    },

    ListTagsForResource(_ctx: RequestContext, input: { resourceArn?: string }) {
      const machine = findTaggable(input.resourceArn);
      return { tags: Object.entries(machine.tags).map(([key, value]) => ({ key, value })) };
    },
  };
}

/** maxResults/nextToken paging shared by the List operations. */
export function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, key: string): Record<string, unknown> {
  const start = nextToken ? Number(Buffer.from(nextToken, "base64").toString()) : 0;
  if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidToken", `Invalid Token: '${nextToken}'`);
  if (maxResults !== undefined && (maxResults < 0 || maxResults > 1000)) throw constraint(maxResults, "maxResults", "Member must have value less than or equal to 1000");
  const size = maxResults && maxResults > 0 ? maxResults : 100;
  return { [key]: items.slice(start, start + size), nextToken: start + size < items.length ? Buffer.from(String(start + size)).toString("base64") : undefined };
}
