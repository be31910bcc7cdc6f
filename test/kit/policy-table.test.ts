/**
 * Policies judged by what they allow (src/kit/grader/policy-table.ts and the
 * labs' request tables): the reference documents pass; equivalent forms pass
 * (strings or arrays, ArnLike/ArnEquals/StringEquals, arn:aws:s3:*:*:<bucket>,
 * one statement or several, an explicit Deny carving out the trigger); every
 * over-grant fails naming the request it wrongly allows. Pure: no cloud.
 */
import { describe, expect, it } from "vitest";
import { judgePolicy, policyProblems } from "../../src/kit/grader/policy-table.js";
import { queuePolicyTable } from "../../labs/01-anatomy-of-an-s3-event/policy-requests.js";
import { invokePermissionTable, s3AccessTable, trustPolicyTable } from "../../labs/02-the-first-trigger/policy-requests.js";
import { executionPolicyTable } from "../../labs/03-the-image-pipeline/policy-requests.js";
import * as lab01 from "../../solutions/01-anatomy-of-an-s3-event/queue-policy.js";
import * as lab01Starter from "../../labs/01-anatomy-of-an-s3-event/queue-policy.js";
import * as lab02 from "../../solutions/02-the-first-trigger/role.js";
import * as lab03 from "../../solutions/03-the-image-pipeline/policy.js";

const account = "000000000000";
const bucketName = "sel-t-01-abc123-uploads";
const queueArn = `arn:aws:sqs:us-east-1:${account}:sel-t-01-abc123-events`;
const q = { queueArn, bucketName, accountId: account };
const qTable = queuePolicyTable(q);
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
const s3Send = (Condition: unknown) => ({ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition });

describe("queue policy table (lab 01)", () => {
  it("passes the reference and fails the starter on the request it needs", () => {
    expect(policyProblems(lab01.queuePolicy(q), qTable)).toEqual([]);
    const starter = policyProblems(lab01Starter.queuePolicy(q), qTable);
    expect(starter.join("\n")).toMatch(/must allow s3\.amazonaws\.com → sqs:SendMessage/);
  });

  it("passes equivalent forms", () => {
    const forms = [
      doc(s3Send({ ArnLike: { "aws:SourceArn": "arn:aws:s3:*:*:" + bucketName }, StringEquals: { "aws:SourceAccount": account } })),
      doc(s3Send({ ArnEquals: { "aws:SourceArn": [`arn:aws:s3:::${bucketName}`] }, StringEquals: { "aws:SourceAccount": [account] } })),
      doc(s3Send({ StringEquals: { "aws:SourceArn": `arn:aws:s3:::${bucketName}`, "aws:SourceAccount": account } })),
      doc({ ...s3Send({ ArnLike: { "AWS:SourceArn": `arn:aws:s3:::${bucketName}` }, StringEquals: { "AWS:SourceAccount": account } }), Action: ["sqs:SendMessage"], Resource: [queueArn], Principal: { Service: ["s3.amazonaws.com"] } }),
      { Version: "2012-10-17", Statement: s3Send({ ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucketName}` }, StringEquals: { "aws:SourceAccount": account } }) },
    ];
    for (const f of forms) expect(policyProblems(f, qTable), JSON.stringify(f)).toEqual([]);
  });

  it("fails an extra wide-open statement, naming the request it wrongly allows", () => {
    const wide = doc(...lab01.queuePolicy(q).Statement, { Sid: "Open", Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: queueArn });
    const problems = policyProblems(wide, qTable, 20);
    expect(problems.join("\n")).toMatch(/allows anyone \(no credentials\) → sqs:SendMessage .*statement "Open"/);
    expect(problems.join("\n")).toMatch(/role in account 111122223333/);
  });

  it("fails a missing SourceAccount, a bucket wildcard, and a non-S3 principal", () => {
    expect(policyProblems(doc(s3Send({ ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucketName}` } })), qTable).join()).toMatch(/aws:SourceAccount 111122223333/);
    expect(policyProblems(doc(s3Send({ ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucketName}*` }, StringEquals: { "aws:SourceAccount": account } })), qTable).join()).toMatch(/-copy/);
    expect(policyProblems(doc({ ...s3Send({}), Principal: { Service: "*" } }), qTable, 20).join()).toMatch(/sns\.amazonaws\.com/);
    expect(policyProblems(doc(s3Send({ ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucketName}` }, StringEquals: { "aws:SourceAccount": account } }), { ...s3Send({}), Action: "sqs:ReceiveMessage", Condition: undefined }), qTable).join()).toMatch(/sqs:ReceiveMessage/);
  });
});

describe("lab 02 tables", () => {
  const t = s3AccessTable({ bucketName, accountId: account });
  const b = `arn:aws:s3:::${bucketName}`;
  it("passes the reference role and equivalent forms", () => {
    expect(policyProblems(lab02.s3AccessPolicy({ bucketName }), t)).toEqual([]);
    expect(policyProblems(lab02.trustPolicy(), trustPolicyTable({ roleArn: `arn:aws:iam::${account}:role/r`, account, service: "lambda.amazonaws.com", why: "Lambda runs the function as this role" }))).toEqual([]);
    const one = doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: [`${b}/uploads/*`] }, { Effect: "Allow", Action: ["s3:PutObject"], Resource: [`${b}/reports/*`] });
    expect(policyProblems(one, t)).toEqual([]);
    // A wider grant with an explicit Deny that carves out everything it must not do is equivalent.
    const carved = doc({ Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${b}/uploads/*`, `${b}/reports/*`] }, { Effect: "Deny", Action: "s3:PutObject", Resource: `${b}/uploads/*` }, { Effect: "Deny", Action: "s3:GetObject", Resource: `${b}/reports/*` });
    expect(policyProblems(carved, t)).toEqual([]);
  });
  it("fails GetObject on Resource *, PutObject on the whole bucket, and a sub-folder of the trigger", () => {
    expect(policyProblems(doc(...lab02.s3AccessPolicy({ bucketName }).Statement, { Effect: "Allow", Action: "s3:GetObject", Resource: "*" }), t).join()).toMatch(/someone-elses-bucket/);
    expect(policyProblems(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${b}/uploads/*` }, { Effect: "Allow", Action: "s3:PutObject", Resource: `${b}/*` }), t).join()).toMatch(/uploads\/x\.csv/);
    expect(policyProblems(doc(...lab02.s3AccessPolicy({ bucketName }).Statement, { Effect: "Allow", Action: "s3:PutObject", Resource: `${b}/uploads/reports/*` }), t).join()).toMatch(/uploads\/reports\/x\.csv/);
    expect(policyProblems(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: `${b}/uploads*` }, { Effect: "Allow", Action: "s3:PutObject", Resource: `${b}/reports/*` }), t).join()).toMatch(/uploads-private/);
  });
  it("judges a saved function policy the way Lambda writes it", () => {
    const fn = `arn:aws:lambda:us-east-1:${account}:function:f`;
    const table = invokePermissionTable({ functionArn: fn, bucketName, accountId: account });
    const saved = (Condition: unknown) => ({ Version: "2012-10-17", Id: "default", Statement: [{ Sid: "allow-s3-invoke", Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "lambda:InvokeFunction", Resource: fn, Condition }] });
    expect(policyProblems(saved({ StringEquals: { "AWS:SourceAccount": account }, ArnLike: { "AWS:SourceArn": b } }), table)).toEqual([]);
    expect(policyProblems(saved({ ArnLike: { "AWS:SourceArn": b } }), table).join()).toMatch(/111122223333/);
    expect(judgePolicy(saved(undefined), table).tooBroad.length).toBeGreaterThan(3);
  });
});

describe("lab 03 execution policy table", () => {
  const targets = { bucketName, tableArn: `arn:aws:dynamodb:us-east-1:${account}:table/m`, topicArn: `arn:aws:sns:us-east-1:${account}:t`, functionName: "f", region: "us-east-1", accountId: account };
  const t = executionPolicyTable(targets);
  const sol = lab03.executionPolicy(targets);
  it("passes the reference; wildcard actions that grant no more pass too", () => {
    expect(policyProblems(sol, t)).toEqual([]);
    const wild = doc(...sol.Statement.slice(0, 1), { Effect: "Allow", Action: "s3:GetObjec?", Resource: `arn:aws:s3:::${bucketName}/uploads/*` }, ...sol.Statement.slice(2));
    expect(policyProblems(wild, t)).toEqual([]);
  });
  it("fails sns:Publish on *, s3:* on the bucket, and PutObject under uploads/thumbnails/", () => {
    expect(policyProblems(doc(...sol.Statement, { Effect: "Allow", Action: "sns:Publish", Resource: "*" }), t).join()).toMatch(/someone-elses-topic/);
    expect(policyProblems(doc(...sol.Statement, { Effect: "Allow", Action: "s3:*", Resource: `arn:aws:s3:::${bucketName}/uploads/*` }), t).join()).toMatch(/PutObject on .*uploads\/x\.jpg.*loop/);
    expect(policyProblems(doc(...sol.Statement, { Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucketName}/uploads/thumbnails/*` }), t).join()).toMatch(/uploads\/thumbnails\/x\.jpg/);
    expect(policyProblems(doc(...sol.Statement, { Effect: "Allow", NotAction: "iam:*", Resource: targets.tableArn }), t).join()).toMatch(/dynamodb:DeleteItem/);
  });
});
