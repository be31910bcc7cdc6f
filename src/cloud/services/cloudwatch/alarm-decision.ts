/**
 * The decision an alarm evaluation makes, as a pure function of the
 * datapoints it found (newest first, within the evaluation range) — the
 * rules of alarm-evaluator.ts's header: M of the newest N real datapoints;
 * fewer than N real ones → TreatMissingData fills the gap; `missing` /
 * `ignore` wait rather than jump to ALARM on too little data. Returns the
 * new state with AWS's reason text, or undefined to keep the current state.
 */
import type { AlarmStateValue, TreatMissing } from "./alarm-state.js";
import { formatNumber } from "./alarm-notification.js";

export interface Outcome {
  state: AlarmStateValue;
  reason: string;
  reasonData?: string;
}

export interface Datapoint {
  /** Period start (ms). */
  t: number;
  v: number;
  n?: number;
}

export interface DecisionInput {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  operator: string;
  treatMissingData: TreatMissing;
  /** StateReasonData JSON to attach. */
  reasonData?: string;
}

const OPERATOR_TEXT: Record<string, string> = {
  GreaterThanThreshold: "greater than",
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

export function breaches(operator: string, value: number, threshold: number): boolean {
  switch (operator) {
    case "GreaterThanThreshold":
      return value > threshold;
    case "GreaterThanOrEqualToThreshold":
      return value >= threshold;
    case "LessThanThreshold":
      return value < threshold;
    case "LessThanOrEqualToThreshold":
      return value <= threshold;
    default:
      return false;
  }
}

/** dd/MM/yy HH:mm:ss (UTC), as datapoints appear in NewStateReason. */
function reasonTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCFullYear() % 100)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function decideState(real: Datapoint[], input: DecisionInput): Outcome | undefined {
  const n = input.evaluationPeriods;
  const m = input.datapointsToAlarm;
  const { threshold, reasonData } = input;
  const treat = input.treatMissingData;
  const op = input.operator;
  const opText = OPERATOR_TEXT[op] ?? op;
  const evaluated = real.slice(0, n);
  const breaching = evaluated.filter((p) => breaches(op, p.v, threshold));
  const crossed = (state: AlarmStateValue, shown: typeof evaluated, total: number): Outcome => {
    const list = shown.map((p) => `${formatNumber(p.v)} (${reasonTime(p.t)})`).join(", ");
    const verb = shown.length === 1 ? "was" : "were";
    const text = state === "ALARM" ? opText : `not ${opText}`;
    const need = state === "ALARM" ? m : n - m + 1;
    return {
      state,
      // "the last 1 datapoints" (always plural) but "minimum 1 datapoint", as AWS writes it.
      reason: `Threshold Crossed: ${shown.length} out of the last ${total} datapoints [${list}] ${verb} ${text} the threshold (${formatNumber(threshold)}) (minimum ${plural(need, "datapoint", "datapoints")} for ${state === "ALARM" ? "OK -> ALARM" : "ALARM -> OK"} transition).`,
      reasonData,
    };
  };
  if (real.length >= n) {
    if (breaching.length >= m) return crossed("ALARM", breaching, n);
    return crossed("OK", evaluated.filter((p) => !breaches(op, p.v, threshold)), n);
  }
  const missing = n - real.length;
  if (treat === "breaching" || treat === "notBreaching") {
    const count = breaching.length + (treat === "breaching" ? missing : 0);
    const state: AlarmStateValue = count >= m ? "ALARM" : "OK";
    if (real.length === 0) {
      return {
        state,
        reason: `Threshold Crossed: no datapoints were received for ${plural(missing, "period", "periods")} and ${plural(missing, "missing datapoint was", "missing datapoints were")} treated as [${treat === "breaching" ? "Breaching" : "NonBreaching"}].`,
        reasonData,
      };
    }
    return state === "ALARM" ? crossed("ALARM", breaching, n) : crossed("OK", evaluated.filter((p) => !breaches(op, p.v, threshold)), n);
  }
  if (real.length === 0) {
    if (treat === "ignore") return undefined;
    return { state: "INSUFFICIENT_DATA", reason: `Insufficient Data: ${plural(n, "datapoint was", "datapoints were")} unknown.`, reasonData };
  }
  if (breaching.length >= m) return crossed("ALARM", breaching, n);
  const notBreaching = evaluated.length - breaching.length;
  if (notBreaching > n - m) return crossed("OK", evaluated.filter((p) => !breaches(op, p.v, threshold)), n);
  return undefined;
}
