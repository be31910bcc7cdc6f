/**
 * Shared-AWS-account mode (issue 20, item 3), on one local cloud with IAM
 * enforced:
 * - the policy `npm run class -- participant-policy <name>` prints, attached
 *   to a role participant Ana assumes, with her permissions boundary policy
 *   (`… --boundary`) created by the instructor: Ana runs labs 01 and 02 end to
 *   end in her namespace (buckets, queues, roles carrying the boundary,
 *   PassRole, functions, permissions, notifications) and is denied on Bea's
 *   resources, existing or not;
 * - the boundary closes the escalation path: Ana cannot create a role without
 *   it, remove it or change it, and a role she creates with an inline policy
 *   allowing s3:* on * still cannot touch Bea's bucket;
 * - the instructor's sweep (`npm run cleanup -- --all-participants`): Ana's
 *   lab 02 and Bea's lab 01 are left behind (kept after grading); the sweep
 *   finds them by the kit's tags, shows them per participant, deletes them in
 *   dependency order, touches nothing untagged (even with a name like ours),
 *   is harmless the second time, and never deletes without confirmation;
 *   the Resource Groups Tagging API (served by the local cloud) reports a
 *   kit-tagged kind the sweep does not list one by one (a custom event bus)
 *   for deletion by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand, DeleteRolePolicyCommand, GetRoleCommand, ListRolesCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, ListBucketsCommand, PutBucketTaggingCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ListQueuesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DeleteFunctionCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { CreateDBClusterCommand, DescribeDBClustersCommand } from "@aws-sdk/client-rds";
import { ListSecretsCommand } from "@aws-sdk/client-secrets-manager";
import { CreateArchiveCommand, CreateEventBusCommand, DeleteEventBusCommand } from "@aws-sdk/client-eventbridge";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { boundaryPolicy, boundaryPolicyArn, participantPolicy } from "../../src/kit/class/participant-policy.js";
import { permissionsBoundaryFromEnv, type Target } from "../../src/kit/target.js";
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
let anaTarget: Target;
const BOUNDARY = boundaryPolicyArn("ana", "000000000000");
const ledgerDir = fs.mkdtempSync(path.join(os.tmpdir(), "participant-policy-"));
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
const home = path.join(ledgerDir, "home");

beforeAll(async () => {
  cloud = await startTestCloud();
  admin = kitSession(cloud.endpoint);
  await admin.clients.iam.send(new CreateRoleCommand({ RoleName: "participant-ana", AssumeRolePolicyDocument: TRUST }));
  await admin.clients.iam.send(new PutRolePolicyCommand({ RoleName: "participant-ana", PolicyName: "s3-event-labs-participant", PolicyDocument: JSON.stringify(participantPolicy("ana", { account: "000000000000" })) }));
  // The instructor's part: Ana's boundary policy, created as the command's guide says.
  await admin.clients.iam.send(new CreatePolicyCommand({ PolicyName: "s3-event-labs-boundary-ana", PolicyDocument: JSON.stringify(boundaryPolicy("ana", { account: "000000000000" })) }));
  const session = await admin.clients.sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/participant-ana", RoleSessionName: "ana" }));
  const c = session.Credentials!;
  // What S3_EVENT_LABS_PERMISSIONS_BOUNDARY gives the kit (target.ts permissionsBoundaryFromEnv).
  anaTarget = { ...admin.target, ...permissionsBoundaryFromEnv({ S3_EVENT_LABS_PERMISSIONS_BOUNDARY: BOUNDARY }) };
  expect(anaTarget.permissionsBoundary).toBe(BOUNDARY);
  asA = createClients({ ...anaTarget, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
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
    // Lab 02 is kept afterwards: the sweep below finds it.
    const report = await runGrade({ lab, target: anaTarget, clients: asA, ledger: new Ledger(path.join(ledgerDir, `ledger-${labId}.json`)), sourceDir: findLab(labId).solutionDir, source: "solution", participant: "ana", keep: labId === "02" });
    const notPassed = [report.setup, ...report.checks].filter((c) => c.status !== "pass");
    expect(notPassed, JSON.stringify(notPassed, null, 2)).toEqual([]);
    expect(report.namespace).toMatch(/^sel-ana-/);
    expect(report.cleanup.status).toBe("pass");
    expect(report.cleanup.kept).toBe(labId === "02");
    if (labId === "02") {
      // The kit created her roles with the boundary (target.permissionsBoundary), as her policy requires.
      const roles = ((await admin.clients.iam.send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.RoleName!.startsWith(report.namespace));
      expect(roles.length).toBeGreaterThan(0);
      for (const r of roles) expect((await admin.clients.iam.send(new GetRoleCommand({ RoleName: r.RoleName! }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(BOUNDARY);
    }
  });

  it("denies her everything of another participant's, existing or not", async () => {
    const denied = async (p: Promise<unknown>) => (await errorOf(p)).name;
    expect(await denied(asA.s3.send(new PutObjectCommand({ Bucket: "sel-bea-01-aaaaaa-events", Key: "x", Body: "x" })))).toBe("AccessDenied");
    expect(await denied(asA.s3.send(new CreateBucketCommand({ Bucket: "sel-bea-01-bbbbbb-new" })))).toBe("AccessDenied");
    const queueUrl = `${cloud.endpoint}/000000000000/sel-bea-01-aaaaaa-queue`;
    expect(await denied(asA.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x" })))).toMatch(/AccessDenied/);
    expect(await denied(asA.iam.send(new CreateRoleCommand({ RoleName: "sel-bea-02-cccccc-role", AssumeRolePolicyDocument: TRUST })))).toBe("AccessDenied");
    expect(await denied(asA.lambda.send(new DeleteFunctionCommand({ FunctionName: "sel-bea-02-cccccc-fn" })))).toBe("AccessDeniedException");
    expect(await denied(asA.dynamodb.send(new DescribeTableCommand({ TableName: "sel-bea-03-dddddd-table" })))).toBe("AccessDeniedException");
    // A name that merely starts like hers is not hers: "sel-ana" is followed by "-" in the policy.
    expect(await denied(asA.s3.send(new CreateBucketCommand({ Bucket: "sel-anabel-01-eeeeee-x" })))).toBe("AccessDenied");
  });

  it("confines the roles she creates with the permissions boundary", async () => {
    const denied = async (p: Promise<unknown>) => (await errorOf(p)).message as string;
    const role = "sel-ana-01-ffffff-escape";
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:role/participant-ana" }, Action: "sts:AssumeRole" }] });
    expect(await denied(asA.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust })))).toMatch(/iam:CreateRole on resource: arn:aws:iam::000000000000:role\/sel-ana-01-ffffff-escape because no identity-based policy allows/);
    expect(await denied(asA.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust, PermissionsBoundary: "arn:aws:iam::aws:policy/AmazonSQSFullAccess" })))).toMatch(/not authorized to perform: iam:CreateRole/);
    await asA.iam.send(new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: trust, PermissionsBoundary: BOUNDARY }));
    try {
      await asA.iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: "everything", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }) }));
      expect(await denied(asA.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: role })))).toMatch(/with an explicit deny in an identity-based policy$/);
      expect(await denied(asA.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role, PermissionsBoundary: "arn:aws:iam::aws:policy/AmazonSQSFullAccess" })))).toMatch(/iam:PutRolePermissionsBoundary/);
      const widen = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
      expect(await denied(asA.iam.send(new CreatePolicyVersionCommand({ PolicyArn: BOUNDARY, PolicyDocument: widen, SetAsDefault: true })))).toMatch(/with an explicit deny/);

      // Her role's session: the inline policy allows s3:* on *, the boundary only her own buckets.
      const c = (await asA.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::000000000000:role/${role}`, RoleSessionName: "escape" }))).Credentials!;
      const asRole = createClients({ ...anaTarget, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
      try {
        const beas = await errorOf(asRole.s3.send(new PutObjectCommand({ Bucket: "sel-bea-01-aaaaaa-events", Key: "x", Body: "x" })));
        expect(beas.message).toBe(`User: arn:aws:sts::000000000000:assumed-role/${role}/escape is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sel-bea-01-aaaaaa-events/x" because no permissions boundary allows the s3:PutObject action`);
        await asA.s3.send(new CreateBucketCommand({ Bucket: "sel-ana-01-ffffff-own" }));
        await asRole.s3.send(new PutObjectCommand({ Bucket: "sel-ana-01-ffffff-own", Key: "x", Body: "x" }));
      } finally {
        asRole.destroy();
      }
    } finally {
      // Untagged: the sweep below must not find them, so they go now.
      await admin.clients.s3.send(new DeleteObjectCommand({ Bucket: "sel-ana-01-ffffff-own", Key: "x" })).catch(() => {});
      await admin.clients.s3.send(new DeleteBucketCommand({ Bucket: "sel-ana-01-ffffff-own" })).catch(() => {});
      await admin.clients.iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: "everything" })).catch(() => {});
      await admin.clients.iam.send(new DeleteRoleCommand({ RoleName: role }));
    }
  });

  it("is what `npm run class -- participant-policy` prints, with the boundary and how to create it", async () => {
    const stdout = (p: ReturnType<typeof kitProcess>) => {
      let text = "";
      p.child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      return () => text;
    };
    const p = kitProcess("class", ["participant-policy", "Ana", "--account", "000000000000"], {});
    const policy = stdout(p);
    const b = kitProcess("class", ["participant-policy", "ana", "--account", "000000000000", "--boundary"], {});
    const boundary = stdout(b);
    expect(await p.exited, p.output()).toBe(0);
    expect(await b.exited, b.output()).toBe(0);
    expect(JSON.parse(policy())).toEqual(participantPolicy("ana", { account: "000000000000" }));
    expect(JSON.parse(boundary())).toEqual(boundaryPolicy("ana", { account: "000000000000" }));
    expect(p.output()).toContain("aws iam create-policy --policy-name s3-event-labs-boundary-ana --policy-document file://s3-event-labs-boundary-ana.json");
    expect(p.output()).toContain(`S3_EVENT_LABS_PERMISSIONS_BOUNDARY=${BOUNDARY}`);
  });
});
const names = async () => ({
  buckets: ((await admin.clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).sort(),
  roles: ((await admin.clients.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName!).filter((n) => n.startsWith("sel-")),
  functions: ((await admin.clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!),
  queues: (await admin.clients.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [],
  logGroups: ((await admin.clients.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/sel-" }))).logGroups ?? []).map((g) => g.logGroupName!),
  alarms: ((await admin.clients.cloudwatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName!),
  clusters: ((await admin.clients.rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? []).map((c) => c.DBClusterIdentifier!),
  secrets: ((await admin.clients.secretsManager.send(new ListSecretsCommand({}))).SecretList ?? []).map((x) => x.Name!),
});


describe("cleanup --all-participants", () => {
  beforeAll(async () => {
    // Bea's lab 01, kept after grading (as if her laptop was closed mid-lab), beside Ana's lab 02.
    const lab = await loadLab(findLab("01"));
    const r = await runGrade({ lab, target: admin.target, clients: admin.clients, ledger: new Ledger(path.join(ledgerDir, "bea-laptop.json")), sourceDir: findLab("01").solutionDir, source: "solution", participant: "bea", keep: true });
    expect(r.passed).toBe(true);
    // Lookalikes that are not the kit's: untagged, or tagged for a namespace the name does not start with.
    await admin.clients.s3.send(new CreateBucketCommand({ Bucket: "sel-zed-01-abcdef-events" }));
    await admin.clients.iam.send(new CreateRoleCommand({ RoleName: "sel-zed-02-abcdef-role", AssumeRolePolicyDocument: TRUST }));
    await admin.clients.s3.send(new CreateBucketCommand({ Bucket: "team-shared-data" }));
    await admin.clients.s3.send(new PutBucketTaggingCommand({ Bucket: "team-shared-data", Tagging: { TagSet: [{ Key: "s3-event-labs:namespace", Value: "sel-ana-02-abcdef" }] } }));
    // Wave-2 kinds the labs create: a tagged alarm and a tagged Data-API cluster of Bea's lab 07 and 04,
    // an untagged lookalike alarm, and an archive (archives cannot carry tags: listed, never deleted).
    const beaTags = [{ Key: "s3-event-labs:namespace", Value: "sel-bea-07-cccccc" }];
    const alarm = { MetricName: "Errors", Namespace: "AWS/Lambda", Statistic: "Sum" as const, Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" as const };
    await admin.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: "sel-bea-07-cccccc-errors", ...alarm, Tags: beaTags }));
    await admin.clients.cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: "sel-zed-07-abcdef-errors", ...alarm }));
    await admin.clients.rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: "sel-bea-04-dddddd-db", Engine: "aurora-postgresql", MasterUsername: "labadmin", ManageMasterUserPassword: true, EnableHttpEndpoint: true, ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 1 }, Tags: [{ Key: "s3-event-labs:namespace", Value: "sel-bea-04-dddddd" }] }));
    await admin.clients.events.send(new CreateArchiveCommand({ ArchiveName: "sel-bea-06-eeeeee-archive", EventSourceArn: "arn:aws:events:us-east-1:000000000000:event-bus/default" }));
    // A kit-tagged kind the sweep does not list one by one: only the Tagging API finds it.
    await admin.clients.events.send(new CreateEventBusCommand({ Name: "sel-bea-06-eeeeee-bus", Tags: [{ Key: "s3-event-labs:namespace", Value: "sel-bea-06-eeeeee" }] }));
  });

  it("deletes every participant's tagged resources, and only those; twice is harmless", async () => {
    const before = await names();
    expect(before.clusters).toEqual(["sel-bea-04-dddddd-db"]);
    expect(before.secrets.some((n) => n.startsWith("rds!cluster-"))).toBe(true);
    expect(before.functions.some((f) => f.startsWith("sel-ana-02-"))).toBe(true);
    expect(before.queues.some((q) => q.includes("sel-bea-01-"))).toBe(true);
    expect(before.logGroups.length).toBeGreaterThan(0);

    const args = ["--all-participants", "--yes", "--target", "endpoint", "--endpoint-url", cloud.endpoint];
    const sweep = kitProcess("cleanup", args, { S3_EVENT_LABS_HOME: home });
    expect(await sweep.exited, sweep.output()).toBe(1); // 1: something tagged is left for the instructor (the bus)
    const out = sweep.output();
    expect(out).toMatch(/ana — \d+ resources \(lab 02\)/);
    expect(out).toMatch(/bea — \d+ resources \(lab 01, 04, 07\)/);
    expect(out).toMatch(/lambda-function\s+sel-ana-02-/);
    expect(out).toMatch(/iam-role-policy/);
    expect(out).not.toMatch(/Tagging API did not answer/);
    const unhandled = out.split("\n").filter((l) => l.includes("not deleted by this sweep (delete it by hand)"));
    expect(unhandled.map((l) => l.slice(l.indexOf("arn:")).trim())).toEqual(["arn:aws:events:us-east-1:000000000000:event-bus/sel-bea-06-eeeeee-bus"]);
    expect(out).not.toMatch(/sel-zed|team-shared-data/);

    const after = await names();
    expect(after.buckets).toEqual(["sel-bea-01-aaaaaa-events", "sel-zed-01-abcdef-events", "team-shared-data"]); // Bea's admin-made bucket above is untagged
    expect(after.roles.sort()).toEqual(["sel-zed-02-abcdef-role"]);
    expect(after.functions).toEqual([]);
    expect(after.queues.map((q) => q.slice(q.lastIndexOf("/") + 1))).toEqual(["sel-bea-01-aaaaaa-queue"]); // untagged, made by the admin above
    expect(after.logGroups).toEqual([]);
    expect(after.alarms).toEqual(["sel-zed-07-abcdef-errors"]);
    expect(after.clusters).toEqual([]);
    expect(after.secrets).toEqual([]); // the cluster's RDS-managed secret went with it
    expect(out).toMatch(/rds-db-cluster\s+sel-bea-04-dddddd-db/);
    expect(out).toMatch(/named like the kit's but cannot carry its tag, so not deleted .*EventBridge archive sel-bea-06-eeeeee-archive/);

    await admin.clients.events.send(new DeleteEventBusCommand({ Name: "sel-bea-06-eeeeee-bus" })); // by hand, as the sweep asked
    const again = kitProcess("cleanup", args, { S3_EVENT_LABS_HOME: home });
    expect(await again.exited, again.output()).toBe(0);
    expect(again.output()).toMatch(/Nothing the kit created was found/);
  });

  it("refuses to delete without --yes when nobody can be asked", async () => {
    await admin.clients.s3.send(new CreateBucketCommand({ Bucket: "sel-cid-01-123456-events" }));
    await admin.clients.s3.send(new PutBucketTaggingCommand({ Bucket: "sel-cid-01-123456-events", Tagging: { TagSet: [{ Key: "s3-event-labs:namespace", Value: "sel-cid-01-123456" }] } }));
    const p = kitProcess("cleanup", ["--all-participants", "--target", "endpoint", "--endpoint-url", cloud.endpoint], { S3_EVENT_LABS_HOME: home });
    expect(await p.exited, p.output()).toBe(2);
    expect(p.output()).toMatch(/cid — 1 resources \(lab 01\)[\s\S]*Not deleting without confirmation/);
    expect((await names()).buckets).toContain("sel-cid-01-123456-events");
  });
});
