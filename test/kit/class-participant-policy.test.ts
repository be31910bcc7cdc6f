/**
 * Shared-account mode (issue 20, item 3): the policy `npm run class --
 * participant-policy <name>` prints, attached to a role each participant
 * assumes, checked by the local cloud's IAM enforcement: participant A can
 * run labs 01 and 02 end to end in A's namespace (buckets, queues, roles,
 * PassRole, functions, permissions, notifications), and is denied on B's
 * resources, existing or not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DeleteFunctionCommand } from "@aws-sdk/client-lambda";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { CreateRoleCommand as CreateRoleAsA } from "@aws-sdk/client-iam";
import { participantPolicy } from "../../src/kit/class/participant-policy.js";
import { createClients, type Clients } from "../../src/kit/clients.js";
import { Ledger } from "../../src/kit/ledger.js";
import { findLab, loadLab } from "../../src/kit/labs.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { startTestCloud, errorOf, type TestCloud } from "../helpers/cloud.js";
import { kitSession, type KitTestSession } from "./helpers.js";
import { kitProcess } from "./kit-process.js";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

let cloud: TestCloud;
let admin: KitTestSession;
let asA: Clients;
const ledgerDir = fs.mkdtempSync(path.join(os.tmpdir(), "participant-policy-"));
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });

beforeAll(async () => {
  cloud = await startTestCloud();
  admin = kitSession(cloud.endpoint);
  await admin.clients.iam.send(new CreateRoleCommand({ RoleName: "participant-ana", AssumeRolePolicyDocument: TRUST }));
  await admin.clients.iam.send(new PutRolePolicyCommand({ RoleName: "participant-ana", PolicyName: "s3-event-labs-participant", PolicyDocument: JSON.stringify(participantPolicy("ana", { account: "000000000000" })) }));
  const session = await admin.clients.sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/participant-ana", RoleSessionName: "ana" }));
  const c = session.Credentials!;
  asA = createClients({ ...admin.target, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
  // Bea's resources, made by the administrator.
  await admin.clients.s3.send(new CreateBucketCommand({ Bucket: "sel-bea-01-aaaaaa-events" }));
  await admin.clients.sqs.send(new CreateQueueCommand({ QueueName: "sel-bea-01-aaaaaa-queue" }));
});
afterAll(async () => {
  asA?.destroy();
  admin?.close();
  await cloud?.close();
  fs.rmSync(ledgerDir, { recursive: true, force: true });
});

describe("participant policy", () => {
  it.each(["01", "02"])("lets participant ana do lab %s in her own namespace", async (labId) => {
    const lab = await loadLab(findLab(labId));
    const report = await runGrade({ lab, target: admin.target, clients: asA, ledger: new Ledger(path.join(ledgerDir, `ledger-${labId}.json`)), sourceDir: findLab(labId).solutionDir, source: "solution", participant: "ana" });
    const notPassed = [report.setup, ...report.checks].filter((c) => c.status !== "pass");
    expect(notPassed, JSON.stringify(notPassed, null, 2)).toEqual([]);
    expect(report.namespace).toMatch(/^sel-ana-/);
    expect(report.cleanup.status).toBe("pass");
  });

  it("denies her everything of another participant's, existing or not", async () => {
    const denied = async (p: Promise<unknown>) => (await errorOf(p)).name;
    expect(await denied(asA.s3.send(new PutObjectCommand({ Bucket: "sel-bea-01-aaaaaa-events", Key: "x", Body: "x" })))).toBe("AccessDenied");
    expect(await denied(asA.s3.send(new CreateBucketCommand({ Bucket: "sel-bea-01-bbbbbb-new" })))).toBe("AccessDenied");
    const queueUrl = `${cloud.endpoint}/000000000000/sel-bea-01-aaaaaa-queue`;
    expect(await denied(asA.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x" })))).toMatch(/AccessDenied/);
    expect(await denied(asA.iam.send(new CreateRoleAsA({ RoleName: "sel-bea-02-cccccc-role", AssumeRolePolicyDocument: TRUST })))).toBe("AccessDenied");
    expect(await denied(asA.lambda.send(new DeleteFunctionCommand({ FunctionName: "sel-bea-02-cccccc-fn" })))).toBe("AccessDeniedException");
    expect(await denied(asA.dynamodb.send(new DescribeTableCommand({ TableName: "sel-bea-03-dddddd-table" })))).toBe("AccessDeniedException");
    // A name that merely starts like hers is not hers: "sel-ana" is followed by "-" in the policy.
    expect(await denied(asA.s3.send(new CreateBucketCommand({ Bucket: "sel-anabel-01-eeeeee-x" })))).toBe("AccessDenied");
  });

  it("is what `npm run class -- participant-policy` prints", async () => {
    const p = kitProcess("class", ["participant-policy", "Ana", "--account", "000000000000"], {});
    expect(await p.exited, p.output()).toBe(0);
    expect(JSON.parse(p.output())).toEqual(participantPolicy("ana", { account: "000000000000" }));
  });
});
