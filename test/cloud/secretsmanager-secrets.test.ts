// Secrets Manager through @aws-sdk/client-secrets-manager and the AWS CLI:
// ARNs with AWS's random suffix, versions and staging labels, describe, list
// filters, tags, scheduled and forced deletion, restore, AWS's errors, and
// persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { awsCliAsync, errorOf, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let sm: SecretsManagerClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  sm = new SecretsManagerClient({ ...cloud.clientConfig, maxAttempts: 1 });
});

afterAll(async () => {
  sm?.destroy();
  await cloud?.close();
});

describe("secrets", () => {
  let arn = "";

  it("CreateSecret returns an ARN with a 6-character random suffix; GetSecretValue by name or ARN", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: "lab04/db", SecretString: '{"username":"u","password":"p1"}', Description: "db creds", Tags: [{ Key: "lab", Value: "04" }] }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:lab04\/db-[A-Za-z0-9]{6}$/);
    arn = created.ARN!;
    const byName = await sm.send(new GetSecretValueCommand({ SecretId: "lab04/db" }));
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    expect(byName.SecretString).toBe('{"username":"u","password":"p1"}');
    expect([byArn.ARN, byArn.Name, byArn.VersionId, byArn.VersionStages]).toEqual([arn, "lab04/db", created.VersionId, ["AWSCURRENT"]]);
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
  });

  it("PutSecretValue makes a new AWSCURRENT and keeps the old one as AWSPREVIOUS", async () => {
    const put = await sm.send(new PutSecretValueCommand({ SecretId: arn, SecretString: '{"username":"u","password":"p2"}' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toContain("p2");
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: "AWSPREVIOUS" }))).SecretString).toContain("p1");
    const d = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(d.VersionIdsToStages![put.VersionId!]).toEqual(["AWSCURRENT"]);
    expect(d.Description).toBe("db creds");
    expect(Object.values(d.VersionIdsToStages!)).toContainEqual(["AWSPREVIOUS"]);
    // LastAccessedDate is the day (UTC midnight) of the last GetSecretValue.
    const day = (ms: number) => Math.floor(ms / 86_400_000) * 86_400_000;
    expect(d.LastAccessedDate!.getTime()).toBe(day(d.LastAccessedDate!.getTime()));
    expect(d.LastAccessedDate!.getTime()).toBeLessThanOrEqual(day(Date.now()));
    expect(d.LastAccessedDate!.getTime()).toBeGreaterThanOrEqual(day(Date.now()) - 86_400_000);
  });

  it("tags and list filters", async () => {
    await sm.send(new CreateSecretCommand({ Name: "other", SecretString: "x" }));
    await sm.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: "team", Value: "data" }] }));
    await sm.send(new UntagResourceCommand({ SecretId: arn, TagKeys: ["lab"] }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: "lab04/db" }))).Tags).toEqual([{ Key: "team", Value: "data" }]);
    const listed = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["lab04"] }] }));
    expect(listed.SecretList!.map((s) => s.Name)).toEqual(["lab04/db"]);
    expect((await sm.send(new ListSecretsCommand({}))).SecretList!.map((s) => s.Name)).toEqual(["lab04/db", "other"]);
  });

  it("errors as AWS words them", async () => {
    const missing = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: "nope" })));
    expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Secrets Manager can't find the specified secret."]);
    const taken = await errorOf(sm.send(new CreateSecretCommand({ Name: "other", SecretString: "y" })));
    expect([taken.name, taken.message]).toEqual(["ResourceExistsException", "The operation failed because the secret other already exists."]);
    const both = await errorOf(sm.send(new DeleteSecretCommand({ SecretId: "other", ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 })));
    expect(both.name).toBe("InvalidParameterException");
  });

  it("a scheduled deletion hides the value until RestoreSecret; a forced one frees the name", async () => {
    const del = await sm.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const marked = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: arn })));
    expect([marked.name, marked.message]).toEqual(["InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."]);
    expect((await sm.send(new ListSecretsCommand({}))).SecretList!.map((s) => s.Name)).toEqual(["other"]);
    await sm.send(new RestoreSecretCommand({ SecretId: arn }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toContain("p2");
    await sm.send(new DeleteSecretCommand({ SecretId: "other", ForceDeleteWithoutRecovery: true }));
    const again = await sm.send(new CreateSecretCommand({ Name: "other", SecretString: "z" }));
    expect(again.ARN).toMatch(/:secret:other-[A-Za-z0-9]{6}$/);
  });

  it("IAM checks secretsmanager:GetSecretValue on the full ARN, also when the secret is named by its name", async () => {
    const iam = new IAMClient(cloud.clientConfig);
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
    const role = await iam.send(new CreateRoleCommand({ RoleName: "reader", AssumeRolePolicyDocument: trust }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:000000000000:secret:lab04/db-??????" }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: "reader", PolicyName: "read", PolicyDocument: JSON.stringify(policy) }));
    iam.destroy();
    const creds = (await new STSClient(cloud.clientConfig).send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: "reader-test" }))).Credentials!;
    const asRole = new SecretsManagerClient({ ...cloud.clientConfig, maxAttempts: 1, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });
    expect((await asRole.send(new GetSecretValueCommand({ SecretId: "lab04/db" }))).SecretString).toContain("p2");
    const denied = await errorOf(asRole.send(new GetSecretValueCommand({ SecretId: "other" })));
    expect(denied.name).toBe("AccessDeniedException");
    expect(denied.message).toMatch(/secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-east-1:000000000000:secret:other-[A-Za-z0-9]{6}/);
    asRole.destroy();
  });

  it.skipIf(!hasAwsCli)("aws secretsmanager get-secret-value", async () => {
    const r = await awsCliAsync(cloud, ["secretsmanager", "get-secret-value", "--secret-id", "lab04/db"]);
    expect(r.stderr).toBe("");
    expect(JSON.parse(JSON.parse(r.stdout).SecretString)).toEqual({ username: "u", password: "p2" });
  });

  it("secrets survive a restart", async () => {
    cloud = await cloud.restart();
    sm.destroy();
    sm = new SecretsManagerClient({ ...cloud.clientConfig, maxAttempts: 1 });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toContain("p2");
  });
});
