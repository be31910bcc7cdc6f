/**
 * Definition checks CreateStateMachine and UpdateStateMachine make, in AWS's
 * words (aws-behavior.md §10): `Invalid State Machine Definition: '<CODE>:
 * <detail> at /<json-pointer>'` with the codes AWS uses —
 * INVALID_JSON_DESCRIPTION, SCHEMA_VALIDATION_FAILED,
 * MISSING_TRANSITION_TARGET, DUPLICATE_STATE_NAME, UNREACHABLE_STATE — and
 * several problems joined as AWS joins them. The wording beyond these shapes is
 * ours (UNCERTAIN), written to say what to fix.
 *
 * Also refused here, with a message saying it is a local-cloud limit: what the
 * ASL engine (aws-local-stepfunctions) cannot run — JSONata, distributed Map
 * (ItemReader, ResultWriter), `.sync` / `.waitForTaskToken` integrations,
 * activities, and service integrations other than those tasks.ts serves.
 */
import { invalidDefinition } from "./errors.js";
import { jsonDepthExceeds } from "../../core/json-depth.js";
import { parseResource } from "./resources.js";

/** Deepest nesting a definition may have here (the checks and the engine walk it recursively). */
const MAX_DEFINITION_DEPTH = 200;

const TYPES = new Set(["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"]);
const COMMON = ["Type", "Comment", "QueryLanguage"];
const IO = ["InputPath", "OutputPath"];
const FIELDS: Record<string, string[]> = {
  Task: [...COMMON, ...IO, "Next", "End", "Resource", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"],
  Pass: [...COMMON, ...IO, "Next", "End", "Parameters", "Result", "ResultPath"],
  Choice: [...COMMON, ...IO, "Choices", "Default"],
  Wait: [...COMMON, ...IO, "Next", "End", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"],
  Succeed: [...COMMON, ...IO],
  Fail: [...COMMON, "Error", "Cause", "ErrorPath", "CausePath"],
  Parallel: [...COMMON, ...IO, "Next", "End", "Branches", "Parameters", "ResultSelector", "ResultPath", "Retry", "Catch"],
  Map: [...COMMON, ...IO, "Next", "End", "Iterator", "ItemProcessor", "ItemsPath", "ItemSelector", "Parameters", "MaxConcurrency", "MaxConcurrencyPath", "ResultSelector", "ResultPath", "Retry", "Catch", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "ItemReader", "ResultWriter", "ItemBatcher"],
};
const COMPARATORS = new Set([
  "StringEquals", "StringEqualsPath", "StringLessThan", "StringLessThanPath", "StringGreaterThan", "StringGreaterThanPath", "StringLessThanEquals", "StringLessThanEqualsPath",
  "StringGreaterThanEquals", "StringGreaterThanEqualsPath", "StringMatches", "NumericEquals", "NumericEqualsPath", "NumericLessThan", "NumericLessThanPath", "NumericGreaterThan",
  "NumericGreaterThanPath", "NumericLessThanEquals", "NumericLessThanEqualsPath", "NumericGreaterThanEquals", "NumericGreaterThanEqualsPath", "BooleanEquals", "BooleanEqualsPath",
  "TimestampEquals", "TimestampEqualsPath", "TimestampLessThan", "TimestampLessThanPath", "TimestampGreaterThan", "TimestampGreaterThanPath", "TimestampLessThanEquals",
  "TimestampLessThanEqualsPath", "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
]);

type Json = Record<string, any>;

/** Every state of a definition (nested branches and item processors too), by name. */
export function allStates(definition: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const walk = (machine: Json) => {
    for (const [name, state] of Object.entries((machine?.States ?? {}) as Json)) {
      out.set(name, state);
      for (const branch of state?.Branches ?? []) walk(branch);
      if (state?.ItemProcessor ?? state?.Iterator) walk(state.ItemProcessor ?? state.Iterator);
    }
  };
  walk(definition);
  return out;
}

const isObject = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);
const isPath = (v: unknown) => typeof v === "string" && (v.startsWith("$") || v === "");
const isPathOrIntrinsic = (v: unknown) => typeof v === "string" && (v.startsWith("$") || /^States\.[A-Za-z.]+\(/.test(v));
const isNonNegativeInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

class Checker {
  readonly problems: string[] = [];
  private readonly seen = new Map<string, string>();

  schema(detail: string, at: string): void {
    this.problems.push(`SCHEMA_VALIDATION_FAILED: ${detail} at ${at}`);
  }

  machine(machine: unknown, at: string): void {
    if (!isObject(machine)) return this.schema("Expected an object with StartAt and States", at || "/");
    const missing = ["StartAt", "States"].filter((f) => machine[f] === undefined);
    if (missing.length) return this.schema(`These fields are required: [${missing.join(", ")}]`, at || "/");
    if (machine.QueryLanguage === "JSONata") this.schema("The local cloud cannot run JSONata (the ASL engine it uses supports JSONPath only); use JSONPath fields", `${at}/QueryLanguage`);
    if (!isObject(machine.States) || Object.keys(machine.States).length === 0) return this.schema("States must be a non-empty object", `${at}/States`);
    if (typeof machine.StartAt !== "string" || !(machine.StartAt in machine.States)) {
      this.problems.push(`MISSING_TRANSITION_TARGET: Missing 'Next' target: ${String(machine.StartAt)} at ${at}/StartAt`);
    }
    for (const [name, state] of Object.entries(machine.States)) this.state(machine.States, name, state, `${at}/States/${name}`);
    this.reachability(machine, at);
  }

  private reachability(machine: Json, at: string): void {
    const reached = new Set<string>();
    const queue = [machine.StartAt];
    while (queue.length) {
      const name = queue.pop();
      if (typeof name !== "string" || reached.has(name) || !(name in machine.States)) continue;
      reached.add(name);
      const s = machine.States[name];
      if (!isObject(s)) continue;
      queue.push(s.Next, s.Default, ...(Array.isArray(s.Choices) ? s.Choices.map((c: Json) => c?.Next) : []), ...(Array.isArray(s.Catch) ? s.Catch.map((c: Json) => c?.Next) : []));
    }
    for (const name of Object.keys(machine.States)) {
      if (!reached.has(name)) this.problems.push(`UNREACHABLE_STATE: State "${name}" is not reachable at ${at}/States/${name}`);
    }
  }

  private target(states: Json, next: unknown, at: string): void {
    if (typeof next !== "string" || !(next in states)) this.problems.push(`MISSING_TRANSITION_TARGET: Missing 'Next' target: ${String(next)} at ${at}`);
  }

  private state(states: Json, name: string, state: unknown, at: string): void {
    if (name.length > 80) this.schema(`State name "${name.slice(0, 20)}…" is longer than 80 characters`, at);
    const first = this.seen.get(name);
    if (first) this.problems.push(`DUPLICATE_STATE_NAME: Duplicate State name: ${name} at ${at}`);
    else this.seen.set(name, at);
    if (!isObject(state)) return this.schema("A state must be an object", at);
    if (state.Type === undefined) return this.schema("These fields are required: [Type]", at);
    if (!TYPES.has(state.Type)) return this.schema(`"${String(state.Type)}" is not a valid state type (Task, Pass, Choice, Wait, Succeed, Fail, Parallel, Map)`, `${at}/Type`);
    const type = state.Type as string;
    for (const field of Object.keys(state)) {
      if (!FIELDS[type]!.includes(field)) this.schema(`Field "${field}" is not supported for ${type} states`, `${at}/${field}`);
    }
    if (state.QueryLanguage === "JSONata") this.schema("The local cloud cannot run JSONata (the ASL engine it uses supports JSONPath only)", `${at}/QueryLanguage`);
    for (const field of ["InputPath", "OutputPath", "ResultPath", "ItemsPath"]) {
      if (state[field] !== undefined && state[field] !== null && !isPath(state[field])) this.schema(`The value for the field '${field}' must be a valid JSONPath`, `${at}/${field}`);
    }
    for (const field of ["Parameters", "ResultSelector", "ItemSelector"]) if (state[field] !== undefined) this.template(state[field], `${at}/${field}`);
    const terminal = type === "Succeed" || type === "Fail";
    if (type !== "Choice" && !terminal) {
      if (state.End !== undefined && state.Next !== undefined) this.schema("Only one of Next or End may be set", at);
      else if (state.End === undefined && state.Next === undefined) this.schema("These fields are required: [Next] (or \"End\": true)", at);
      else if (state.End !== undefined && state.End !== true) this.schema("End must be true when set (use Next to continue)", `${at}/End`);
      if (state.Next !== undefined) this.target(states, state.Next, `${at}/Next`);
    }
    if (type === "Task") this.task(state, at);
    if (type === "Choice") this.choice(states, state, at);
    if (type === "Wait") {
      const given = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"].filter((f) => state[f] !== undefined);
      if (given.length !== 1) this.schema("Exactly one of Seconds, Timestamp, SecondsPath or TimestampPath is required", at);
      if (state.Seconds !== undefined && !isNonNegativeInt(state.Seconds)) this.schema("Seconds must be a non-negative integer", `${at}/Seconds`);
      if (state.Timestamp !== undefined && Number.isNaN(Date.parse(String(state.Timestamp)))) this.schema("Timestamp must be an ISO-8601 timestamp", `${at}/Timestamp`);
    }
    if (type === "Parallel") {
      if (!Array.isArray(state.Branches) || state.Branches.length === 0) this.schema("These fields are required: [Branches]", at);
      else state.Branches.forEach((b: unknown, i: number) => this.machine(b, `${at}/Branches[${i}]`));
    }
    if (type === "Map") {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (!processor) this.schema("These fields are required: [ItemProcessor]", at);
      else {
        if (processor?.ProcessorConfig?.Mode === "DISTRIBUTED") this.schema("The local cloud runs Map states in INLINE mode only (no distributed Map)", `${at}/ItemProcessor/ProcessorConfig/Mode`);
        const { ProcessorConfig: _config, ...machine } = processor as Json;
        this.machine(machine, `${at}/${state.ItemProcessor ? "ItemProcessor" : "Iterator"}`);
      }
      for (const f of ["ItemReader", "ResultWriter", "ItemBatcher"]) if (state[f] !== undefined) this.schema(`${f} (distributed Map) is not supported by the local cloud`, `${at}/${f}`);
    }
    if (type === "Task" || type === "Parallel" || type === "Map") {
      this.retriers(state.Retry, `${at}/Retry`);
      this.catchers(states, state.Catch, `${at}/Catch`);
    }
  }

  private template(value: unknown, at: string): void {
    if (Array.isArray(value)) return value.forEach((v, i) => this.template(v, `${at}[${i}]`));
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (key.endsWith(".$") && !isPathOrIntrinsic(v)) this.schema(`The value for the field '${key}' must be a valid JSONPath or a valid intrinsic function call`, `${at}/${key}`);
      else this.template(v, `${at}/${key}`);
    }
  }

  private task(state: Json, at: string): void {
    if (state.Resource === undefined) return this.schema("These fields are required: [Resource]", at);
    const resource = parseResource(state.Resource);
    if (!resource.ok) this.schema(resource.reason, `${at}/Resource`);
    if (state.TimeoutSeconds !== undefined && !(Number.isInteger(state.TimeoutSeconds) && state.TimeoutSeconds > 0 && state.TimeoutSeconds <= 99999999)) {
      this.schema("TimeoutSeconds must be a positive integer (at most 99999999)", `${at}/TimeoutSeconds`);
    }
    if (state.HeartbeatSeconds !== undefined || state.HeartbeatSecondsPath !== undefined) this.schema("HeartbeatSeconds needs .waitForTaskToken or activities, which the local cloud does not run", at);
    if (state.Credentials !== undefined) this.schema("Credentials (cross-account tasks) are not supported by the local cloud", `${at}/Credentials`);
  }

  private choice(states: Json, state: Json, at: string): void {
    if (!Array.isArray(state.Choices) || state.Choices.length === 0) return this.schema("These fields are required: [Choices]", at);
    state.Choices.forEach((rule: unknown, i: number) => {
      const where = `${at}/Choices[${i}]`;
      if (!isObject(rule)) return this.schema("A choice rule must be an object", where);
      if (rule.Next === undefined) this.schema("These fields are required: [Next]", where);
      else this.target(states, rule.Next, `${where}/Next`);
      this.rule(rule, where, true);
    });
    if (state.Default !== undefined) this.target(states, state.Default, `${at}/Default`);
  }

  private rule(rule: Json, at: string, top: boolean): void {
    if (!top && rule.Next !== undefined) this.schema("Nested choice rules may not have Next", `${at}/Next`);
    if (Array.isArray(rule.And) || Array.isArray(rule.Or)) return (rule.And ?? rule.Or).forEach((r: Json, i: number) => this.rule(r, `${at}/${rule.And ? "And" : "Or"}[${i}]`, false));
    if (isObject(rule.Not)) return this.rule(rule.Not, `${at}/Not`, false);
    const ops = Object.keys(rule).filter((k) => COMPARATORS.has(k));
    if (rule.Variable === undefined || ops.length !== 1) {
      this.schema("A choice rule needs a Variable and exactly one comparison operator (StringEquals, NumericGreaterThan, IsPresent…), or And / Or / Not", at);
    } else if (!isPath(rule.Variable)) this.schema("The value for the field 'Variable' must be a valid JSONPath", `${at}/Variable`);
  }

  private retriers(list: unknown, at: string): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) return this.schema("Retry must be an array", at);
    list.forEach((r: unknown, i: number) => {
      const where = `${at}[${i}]`;
      if (!isObject(r)) return this.schema("A retrier must be an object", where);
      this.errorEquals(r.ErrorEquals, where, i === list.length - 1);
      for (const f of Object.keys(r)) if (!["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment"].includes(f)) this.schema(`Field "${f}" is not supported in a retrier`, `${where}/${f}`);
      if (r.IntervalSeconds !== undefined && !(Number.isInteger(r.IntervalSeconds) && r.IntervalSeconds >= 1 && r.IntervalSeconds <= 99999999)) this.schema("IntervalSeconds must be an integer from 1 to 99999999", `${where}/IntervalSeconds`);
      if (r.MaxAttempts !== undefined && !(Number.isInteger(r.MaxAttempts) && r.MaxAttempts >= 0 && r.MaxAttempts <= 99999999)) this.schema("MaxAttempts must be an integer from 0 to 99999999", `${where}/MaxAttempts`);
      if (r.BackoffRate !== undefined && !(typeof r.BackoffRate === "number" && r.BackoffRate >= 1)) this.schema("BackoffRate must be a number of at least 1.0", `${where}/BackoffRate`);
      if (r.MaxDelaySeconds !== undefined && !(Number.isInteger(r.MaxDelaySeconds) && r.MaxDelaySeconds >= 1)) this.schema("MaxDelaySeconds must be a positive integer", `${where}/MaxDelaySeconds`);
      if (r.JitterStrategy !== undefined && r.JitterStrategy !== "FULL" && r.JitterStrategy !== "NONE") this.schema("JitterStrategy must be FULL or NONE", `${where}/JitterStrategy`);
    });
  }

  private catchers(states: Json, list: unknown, at: string): void {
    if (list === undefined) return;
    if (!Array.isArray(list)) return this.schema("Catch must be an array", at);
    list.forEach((c: unknown, i: number) => {
      const where = `${at}[${i}]`;
      if (!isObject(c)) return this.schema("A catcher must be an object", where);
      const missing = ["ErrorEquals", "Next"].filter((f) => c[f] === undefined);
      if (missing.length) return this.schema(`These fields are required: [${missing.join(", ")}]`, where);
      this.errorEquals(c.ErrorEquals, where, i === list.length - 1);
      this.target(states, c.Next, `${where}/Next`);
      if (c.ResultPath !== undefined && c.ResultPath !== null && !isPath(c.ResultPath)) this.schema("The value for the field 'ResultPath' must be a valid JSONPath", `${where}/ResultPath`);
    });
  }

  private errorEquals(list: unknown, at: string, last: boolean): void {
    if (list === undefined) return this.schema("These fields are required: [ErrorEquals]", at);
    if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== "string")) return this.schema("ErrorEquals must be a non-empty array of error names", `${at}/ErrorEquals`);
    if (list.includes("States.ALL") && (list.length > 1 || !last)) this.schema("States.ALL must appear alone in ErrorEquals, in the last retrier or catcher", `${at}/ErrorEquals`);
  }
}

/** Every problem of a definition as "<CODE>: <detail> at <pointer>" (empty when it is valid). */
export function definitionProblems(text: string): string[] {
  try {
    validateDefinition(text, Infinity);
    return [];
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String((err as Error).message)];
  }
}

/** Parse and check a definition; throws InvalidDefinition listing the problems found (the first `limit`). */
export function validateDefinition(text: string, limit = 10): Json {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (err) {
    throw withProblems([`INVALID_JSON_DESCRIPTION: ${(err as Error).message}`]);
  }
  if (jsonDepthExceeds(definition, MAX_DEFINITION_DEPTH)) throw withProblems([`SCHEMA_VALIDATION_FAILED: The definition nests deeper than ${MAX_DEFINITION_DEPTH} levels at /`]);
  const checker = new Checker();
  checker.machine(definition, "");
  if (isObject(definition)) {
    if (definition.TimeoutSeconds !== undefined && !(Number.isInteger(definition.TimeoutSeconds) && definition.TimeoutSeconds > 0)) checker.schema("TimeoutSeconds must be a positive integer", "/TimeoutSeconds");
    for (const field of Object.keys(definition)) {
      if (!["StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"].includes(field)) checker.schema(`Field "${field}" is not supported at the top of a definition`, `/${field}`);
    }
  }
  if (checker.problems.length) throw withProblems(checker.problems, limit);
  return definition as Json;
}

function withProblems(problems: string[], limit = 10) {
  return Object.assign(invalidDefinition(problems.slice(0, limit)), { problems });
}
