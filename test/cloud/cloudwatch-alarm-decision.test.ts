// The alarm decision as a pure function (no cloud): M of N, the newest N
// real datapoints deciding, TreatMissingData filling a short evaluation,
// `missing`/`ignore` waiting instead of jumping to ALARM on too little data,
// and AWS's reason texts. Datapoints are newest first; X breaches (5 > 1), O does not.
import { describe, expect, it } from "vitest";
import { decideState, type Datapoint } from "../../src/cloud/services/cloudwatch/alarm-decision.js";
import type { TreatMissing } from "../../src/cloud/services/cloudwatch/alarm-state.js";

const T0 = Date.UTC(2026, 11, 2, 6, 0, 0);
/** "X O X" → datapoints one minute apart, newest first; "-" is a missing period (skipped). */
function points(pattern: string): Datapoint[] {
  return pattern
    .split(" ")
    .map((c, i): Datapoint | undefined => (c === "-" ? undefined : { t: T0 - i * 60_000, v: c === "X" ? 5 : 0, n: 1 }))
    .filter((p): p is Datapoint => p !== undefined);
}
const decide = (pattern: string, n: number, m: number, treat: TreatMissing = "missing", operator = "GreaterThanThreshold") =>
  decideState(points(pattern), { evaluationPeriods: n, datapointsToAlarm: m, threshold: 1, operator, treatMissingData: treat })?.state;

describe("M of N with enough data", () => {
  it("needs M breaching datapoints among the newest N", () => {
    expect(decide("X X X", 3, 3)).toBe("ALARM");
    expect(decide("X O X", 3, 3)).toBe("OK");
    expect(decide("X O X", 3, 2)).toBe("ALARM");
    expect(decide("O O X", 3, 2)).toBe("OK");
    // Older real datapoints beyond the newest N do not count.
    expect(decide("O X X", 1, 1)).toBe("OK");
    expect(decide("X O", 1, 1)).toBe("ALARM");
  });

  it("compares with each operator", () => {
    expect(decideState([{ t: T0, v: 1 }], { evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, operator: "GreaterThanOrEqualToThreshold", treatMissingData: "missing" })?.state).toBe("ALARM");
    expect(decideState([{ t: T0, v: 1 }], { evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, operator: "GreaterThanThreshold", treatMissingData: "missing" })?.state).toBe("OK");
    expect(decide("O", 1, 1, "missing", "LessThanThreshold")).toBe("ALARM");
    expect(decide("O", 1, 1, "missing", "LessThanOrEqualToThreshold")).toBe("ALARM");
    expect(decide("X", 1, 1, "missing", "LessThanThreshold")).toBe("OK");
  });

  it("writes AWS's reasons", () => {
    const alarm = decideState(points("X O X"), { evaluationPeriods: 3, datapointsToAlarm: 2, threshold: 1, operator: "GreaterThanThreshold", treatMissingData: "missing" });
    expect(alarm?.reason).toBe(
      "Threshold Crossed: 2 out of the last 3 datapoints [5.0 (02/12/26 06:00:00), 5.0 (02/12/26 05:58:00)] were greater than the threshold (1.0) (minimum 2 datapoints for OK -> ALARM transition).",
    );
    const ok = decideState(points("O"), { evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 1, operator: "GreaterThanThreshold", treatMissingData: "missing" });
    expect(ok?.reason).toBe("Threshold Crossed: 1 out of the last 1 datapoints [0.0 (02/12/26 06:00:00)] was not greater than the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).");
  });
});

describe("TreatMissingData with fewer than N datapoints", () => {
  it("fills the missing ones as breaching or not breaching", () => {
    expect(decide("- - X", 3, 3, "breaching")).toBe("ALARM");
    expect(decide("- - X", 3, 3, "notBreaching")).toBe("OK");
    expect(decide("- O -", 3, 2, "breaching")).toBe("ALARM");
  });

  it("with missing or ignore, does not jump to ALARM on too little data, and goes to OK once ALARM is impossible", () => {
    for (const treat of ["missing", "ignore"] as const) {
      expect(decide("- - X", 3, 3, treat)).toBeUndefined();
      expect(decide("- - O", 3, 3, treat)).toBe("OK");
      expect(decide("- X X", 3, 2, treat)).toBe("ALARM");
      expect(decide("- - X", 3, 1, treat)).toBe("ALARM");
    }
  });

  it("with no data at all: INSUFFICIENT_DATA (missing), keep (ignore), ALARM (breaching), OK (notBreaching)", () => {
    expect(decideState([], { evaluationPeriods: 3, datapointsToAlarm: 3, threshold: 1, operator: "GreaterThanThreshold", treatMissingData: "missing" })).toMatchObject({
      state: "INSUFFICIENT_DATA",
      reason: "Insufficient Data: 3 datapoints were unknown.",
    });
    expect(decide("- - -", 3, 3, "ignore")).toBeUndefined();
    expect(decideState([], { evaluationPeriods: 2, datapointsToAlarm: 2, threshold: 1, operator: "GreaterThanThreshold", treatMissingData: "breaching" })).toMatchObject({
      state: "ALARM",
      reason: "Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].",
    });
    expect(decide("- -", 2, 2, "notBreaching")).toBe("OK");
  });
});
