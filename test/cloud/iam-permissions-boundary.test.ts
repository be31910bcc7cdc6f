/**
 * Role permissions boundaries through the real SDK v3 clients (and the AWS
 * CLI): CreateRole's PermissionsBoundary, Put/DeleteRolePermissionsBoundary,
 * the GetRole/CreateRole shape (ListRoles leaves it out, as AWS does), AWS's
 * errors for a missing or malformed boundary, persistence across a restart;
 * and evaluation — a session of a role whose inline policy allows s3:* on *
 * but whose boundary allows only sel-ana-* buckets is denied elsewhere with
 * AWS's boundary wording, an explicit Deny in the boundary wins, and a
 * service-side check (CreateEventSourceMapping's execution-role check, a
 * function's log writes) goes through the boundary too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  GetPolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateEventSourceMappingCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { awsCliAsync, errorOf, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createFunction } from "../helpers/lambda.js";

const ACCT = "000000000000";
const TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root`, Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const BOUNDARY_ARN = `arn:aws:iam::${ACCT}:policy/boundary-ana`;
const NO_SQS_ARN = `arn:aws:iam::${ACCT}:policy/boundary-no-sqs`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

let cloud: TestCloud;
let iam: IAMClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig);
  await iam.send(new CreatePolicyCommand({
    PolicyName: "boundary-ana",
    PolicyDocument: doc(
      { Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::sel-ana-*", "arn:aws:s3:::sel-ana-*/*"] },
      { Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::sel-ana-locked/*" },
    ),
  }));
  await iam.send(new CreatePolicyCommand({ PolicyName: "boundary-no-sqs", PolicyDocument: doc({ Effect: "Allow", Action: "logs:*", Resource: "*" }) }));
});
afterAll(async () => {
  iam?.destroy();
  await cloud?.close();
});

describe("the IAM API", () => {
  it("creates a role with a boundary and returns it as AWS does; ListRoles leaves it out", async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName: "sel-ana-fn", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: BOUNDARY_ARN }));
    expect(created.Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: BOUNDARY_ARN });
    expect((await iam.send(new GetRoleCommand({ RoleName: "sel-ana-fn" }))).Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: BOUNDARY_ARN });
    const listed = (await iam.send(new ListRolesCommand({}))).Roles!.find((r) => r.RoleName === "sel-ana-fn")!;
    expect(listed.Arn).toBe(`arn:aws:iam::${ACCT}:role/sel-ana-fn`);
    expect(listed.PermissionsBoundary).toBeUndefined();
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: BOUNDARY_ARN }))).Policy?.PermissionsBoundaryUsageCount).toBe(1);

    await iam.send(new CreateRoleCommand({ RoleName: "plain", AssumeRolePolicyDocument: TRUST }));
    expect((await iam.send(new GetRoleCommand({ RoleName: "plain" }))).Role?.PermissionsBoundary).toBeUndefined();
  });

  it("refuses a boundary that names no policy, or is not a policy ARN, in AWS's words", async () => {
    const missing = await errorOf(iam.send(new CreateRoleCommand({ RoleName: "ghost", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: `arn:aws:iam::${ACCT}:policy/nope` })));
    expect(missing.name).toBe("NoSuchEntityException");
    expect(missing.$metadata.httpStatusCode).toBe(404);
    expect(missing.message).toBe(`Scope ARN: arn:aws:iam::${ACCT}:policy/nope does not exist or is not attachable.`);
    const awsMissing = await errorOf(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "plain", PermissionsBoundary: "arn:aws:iam::aws:policy/NoSuchManagedPolicy" })));
    expect(awsMissing.name).toBe("NoSuchEntityException");
    const malformed = await errorOf(iam.send(new CreateRoleCommand({ RoleName: "ghost", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: "arn:aws:s3:::not-a-policy-arn" })));
    expect(malformed.name).toBe("InvalidParameterValue");
    expect(malformed.message).toBe("Value (arn:aws:s3:::not-a-policy-arn) for parameter PermissionsBoundary is invalid.");
    expect((await errorOf(iam.send(new GetRoleCommand({ RoleName: "ghost" })))).name).toBe("NoSuchEntityException"); // nothing was created
    expect((await errorOf(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "nobody", PermissionsBoundary: BOUNDARY_ARN })))).name).toBe("NoSuchEntityException");
  });

  it("puts and deletes a role's boundary (SDK and AWS CLI)", async () => {
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "plain", PermissionsBoundary: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    expect((await iam.send(new GetRoleCommand({ RoleName: "plain" }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess");
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "plain" }));
    expect((await iam.send(new GetRoleCommand({ RoleName: "plain" }))).Role?.PermissionsBoundary).toBeUndefined();
    if (!hasAwsCli) return;
    const put = await awsCliAsync(cloud, ["iam", "put-role-permissions-boundary", "--role-name", "plain", "--permissions-boundary", BOUNDARY_ARN]);
    expect(put.status, put.stderr).toBe(0);
    const got = await awsCliAsync(cloud, ["iam", "get-role", "--role-name", "plain", "--output", "json"]);
    expect(got.status, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).Role.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: BOUNDARY_ARN });
  });
});

describe("evaluation", () => {
  let s3: S3Client;
  beforeAll(async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: "sel-ana-fn", PolicyName: "everything", PolicyDocument: doc({ Effect: "Allow", Action: ["s3:*", "sqs:*"], Resource: "*" }) }));
    for (const Bucket of ["sel-ana-photos", "sel-ana-locked", "sel-bea-photos"]) await new S3Client(cloud.clientConfig).send(new CreateBucketCommand({ Bucket }));
    const c = (await new STSClient(cloud.clientConfig).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/sel-ana-fn`, RoleSessionName: "ana" }))).Credentials!;
    s3 = new S3Client({ ...cloud.clientConfig, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }, maxAttempts: 1 });
  });
  afterAll(() => s3?.destroy());

  it("allows only what both the inline policy and the boundary allow, and says the boundary denied", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "sel-ana-photos", Key: "cat.jpg", Body: "x" }));
    const other = await errorOf(s3.send(new PutObjectCommand({ Bucket: "sel-bea-photos", Key: "cat.jpg", Body: "x" })));
    expect(other.name).toBe("AccessDenied");
    expect(other.message).toBe(`User: arn:aws:sts::${ACCT}:assumed-role/sel-ana-fn/ana is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::sel-bea-photos/cat.jpg" because no permissions boundary allows the s3:PutObject action`);
    expect(cloud.logs.join("\n")).toMatch(/no statement of the permissions boundary arn:aws:iam::000000000000:policy\/boundary-ana of role sel-ana-fn allows it/);
  });

  it("lets an explicit Deny in the boundary win over the inline Allow", async () => {
    const locked = await errorOf(s3.send(new PutObjectCommand({ Bucket: "sel-ana-locked", Key: "cat.jpg", Body: "x" })));
    expect(locked.message).toMatch(/s3:PutObject on resource: "arn:aws:s3:::sel-ana-locked\/cat.jpg" with an explicit deny in a permissions boundary$/);
  });

  it("applies to service-side checks: an event source mapping's execution role", async () => {
    const lambda = new LambdaClient(cloud.clientConfig);
    try {
      await iam.send(new CreateRoleCommand({ RoleName: "sel-ana-consumer", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: NO_SQS_ARN }));
      await iam.send(new PutRolePolicyCommand({ RoleName: "sel-ana-consumer", PolicyName: "sqs", PolicyDocument: doc({ Effect: "Allow", Action: "sqs:*", Resource: "*" }) }));
      await new SQSClient(cloud.clientConfig).send(new CreateQueueCommand({ QueueName: "sel-ana-jobs" }));
      await createFunction(lambda, "sel-ana-consumer", "export const handler = async () => {};", { Role: `arn:aws:iam::${ACCT}:role/sel-ana-consumer` });
      const mapping = { EventSourceArn: `arn:aws:sqs:us-east-1:${ACCT}:sel-ana-jobs`, FunctionName: "sel-ana-consumer" };
      const refused = await errorOf(lambda.send(new CreateEventSourceMappingCommand(mapping)));
      expect(refused.message).toBe("The provided execution role does not have permissions to call ReceiveMessage on SQS");
      await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: "sel-ana-consumer" }));
      expect((await lambda.send(new CreateEventSourceMappingCommand(mapping))).UUID).toBeTruthy();
    } finally {
      lambda.destroy();
    }
  });
});

describe("a function's logs", () => {
  it("are not written when its role's boundary does not allow logs, whatever the role's policies say", async () => {
    const lambda = new LambdaClient(cloud.clientConfig);
    try {
      await iam.send(new CreateRoleCommand({ RoleName: "sel-ana-quiet", AssumeRolePolicyDocument: TRUST, PermissionsBoundary: BOUNDARY_ARN }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: "sel-ana-quiet", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }));
      await createFunction(lambda, "sel-ana-quiet", "export const handler = async () => { console.log('hello'); };", { Role: `arn:aws:iam::${ACCT}:role/sel-ana-quiet` });
      await lambda.send(new InvokeCommand({ FunctionName: "sel-ana-quiet" }));
      const warning = await eventually(async () => cloud.logs.find((l) => l.includes("the logs of sel-ana-quiet are not written")));
      expect(warning).toMatch(/but no statement of the permissions boundary arn:aws:iam::000000000000:policy\/boundary-ana of role sel-ana-quiet allows it/);
    } finally {
      lambda.destroy();
    }
  });
});

describe("persistence", () => {
  it("keeps a role's boundary across a restart", async () => {
    cloud = await cloud.restart();
    iam.destroy();
    iam = new IAMClient(cloud.clientConfig);
    expect((await iam.send(new GetRoleCommand({ RoleName: "sel-ana-fn" }))).Role?.PermissionsBoundary?.PermissionsBoundaryArn).toBe(BOUNDARY_ARN);
  });
});
