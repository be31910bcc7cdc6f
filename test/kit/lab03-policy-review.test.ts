/**
 * How lab 03's grader reads execution and trust policies (pure): the
 * reference policy passes, the starter (as shipped, not the working copy a
 * learner may have solved) misses exactly its TODOs, and each
 * kind of over-grant — wildcard actions, "Resource": "*", the whole bucket,
 * PutObject on uploads/ (the loop), NotAction — is named.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/kit/paths.js";
import { materializeStarters } from "../../src/kit/starters.js";
import { policyAllows, reviewExecutionPolicy, reviewTrustPolicy, wildcardMatch } from "../../labs/03-the-image-pipeline/policy-review.js";
import * as solution from "../../solutions/03-the-image-pipeline/policy.js";
import type * as StarterModule from "../../labs/03-the-image-pipeline/policy.js";

const shipped = fs.mkdtempSync(path.join(repoRoot, ".s3-event-labs-tmp-policy-"));
afterAll(() => fs.rmSync(shipped, { recursive: true, force: true }));
materializeStarters("03-the-image-pipeline", ["policy.ts"], shipped);
const starter = (await import(pathToFileURL(path.join(shipped, "policy.ts")).href)) as typeof StarterModule;

const targets = {
  bucketName: "sel-t-03-abc123-images",
  tableArn: "arn:aws:dynamodb:us-east-1:000000000000:table/sel-t-03-abc123-metadata",
  topicArn: "arn:aws:sns:us-east-1:000000000000:sel-t-03-abc123-thumbnails",
  functionName: "sel-t-03-abc123-thumbnailer",
  region: "us-east-1",
  accountId: "000000000000",
};
const withStatements = (...extra: Array<Record<string, unknown>>) => {
  const doc = solution.executionPolicy(targets);
  return { ...doc, Statement: [...doc.Statement, ...extra] };
};

describe("lab 03 policy review", () => {
  it("matches IAM wildcards: * and ?, actions case-insensitively", () => {
    expect(wildcardMatch("arn:aws:s3:::b/uploads/*", "arn:aws:s3:::b/uploads/a/b c.jpg")).toBe(true);
    expect(wildcardMatch("arn:aws:s3:::b/uploads/*", "arn:aws:s3:::b/thumbnails/x")).toBe(false);
    expect(wildcardMatch("s3:Get?bject", "s3:getobject", true)).toBe(true);
    expect(policyAllows({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }, { Effect: "Deny", Action: "s3:PutObject", Resource: "*" }] }, "s3:PutObject", "arn:aws:s3:::b/k")).toBe(false);
  });

  it("accepts the reference trust and execution policies", () => {
    expect(reviewTrustPolicy(solution.trustPolicy())).toBeUndefined();
    expect(reviewExecutionPolicy(solution.executionPolicy(targets), targets)).toEqual([]);
  });

  it("the starter misses exactly the four grants of its TODOs", () => {
    const problems = reviewExecutionPolicy(starter.executionPolicy(targets), targets);
    expect(problems).toHaveLength(4);
    expect(problems.join("\n")).toMatch(/s3:GetObject.*uploads/);
    expect(problems.join("\n")).toMatch(/s3:PutObject.*thumbnails/);
    expect(problems.join("\n")).toMatch(/dynamodb:PutItem/);
    expect(problems.join("\n")).toMatch(/sns:Publish/);
  });

  it("names wildcard actions and Resource * outside logs, but allows them in a logs-only statement", () => {
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${targets.bucketName}/uploads/*` }), targets).join()).toMatch(/wildcard action "s3:\*"/);
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: "sns:Publish", Resource: "*" }), targets).join()).toMatch(/"Resource": "\*"/);
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: ["logs:*"], Resource: "*" }), targets)).toEqual([]);
  });

  it("names the loop (PutObject on uploads/), the whole bucket, other tables and NotAction", () => {
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${targets.bucketName}/*` }), targets).join()).toMatch(/own trigger and loop/);
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${targets.bucketName}/*` }), targets).join()).toMatch(/outside uploads/);
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", Action: "dynamodb:PutItem", Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/*" }), targets).join()).toMatch(/other tables/);
    expect(reviewExecutionPolicy(withStatements({ Effect: "Allow", NotAction: "iam:*", Resource: targets.tableArn }), targets).join()).toMatch(/NotAction/);
  });

  it("reviews trust policies: missing Lambda, or anyone", () => {
    expect(reviewTrustPolicy({ Statement: [] })).toMatch(/no statements/);
    expect(reviewTrustPolicy({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] })).toMatch(/lambda\.amazonaws\.com/);
    expect(reviewTrustPolicy({ Statement: [...solution.trustPolicy().Statement, { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] })).toMatch(/ANY principal/);
  });
});
