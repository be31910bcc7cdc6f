/**
 * aws:ResourceTag/<key> and <service>:ResourceTag/<key> in policies, judged
 * against the resource's own tags (policy/resource-tags.ts): a role session
 * allowed to read only secrets tagged for its team, or to send only to queues
 * tagged so, is allowed on those and denied on the others; a tag changed
 * afterwards changes the answer at once (no cache). And the shared-account
 * participant policy's rule for RDS-managed secrets (matched by their
 * aws:rds:primaryDBClusterArn tag): a participant reads her own cluster's
 * master secret, not another participant's.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient, TagResourceCommand } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateDBClusterCommand, RDSClient } from "@aws-sdk/client-rds";
import { errorOf, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { participantPolicy } from "../../src/kit/class/participant-policy.js";

const ACCT = "000000000000";
const doc = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

let cloud: TestCloud;
let asRole: { sm: SecretsManagerClient; sqs: SQSClient };
const admin: { sm?: SecretsManagerClient; sqs?: SQSClient } = {};

beforeAll(async () => {
  cloud = await startTestCloud();
  const iam = new IAMClient(cloud.clientConfig);
  await iam.send(new CreateRoleCommand({ RoleName: "team-a", AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "sts:AssumeRole" }) }));
  await iam.send(new PutRolePolicyCommand({
    RoleName: "team-a",
    PolicyName: "by-tag",
    PolicyDocument: doc(
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "*", Condition: { StringEquals: { "secretsmanager:ResourceTag/team": "a" } } },
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "a" } } },
    ),
  }));
  iam.destroy();
  const sts = new STSClient(cloud.clientConfig);
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/team-a`, RoleSessionName: "team-a" }))).Credentials!;
  sts.destroy();
  const creds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  asRole = { sm: new SecretsManagerClient({ ...cloud.clientConfig, credentials: creds }), sqs: new SQSClient({ ...cloud.clientConfig, credentials: creds }) };
  admin.sm = new SecretsManagerClient(cloud.clientConfig);
  admin.sqs = new SQSClient(cloud.clientConfig);
});
afterAll(async () => {
  for (const c of [asRole?.sm, asRole?.sqs, admin.sm, admin.sqs]) c?.destroy();
  await cloud?.close();
});

it("secretsmanager:ResourceTag/<key>: the tagged secret is readable, the others are not, and a retag counts at once", async () => {
  const ours = await admin.sm!.send(new CreateSecretCommand({ Name: "team-a-db", SecretString: "s3cret", Tags: [{ Key: "team", Value: "a" }] }));
  const theirs = await admin.sm!.send(new CreateSecretCommand({ Name: "team-b-db", SecretString: "other", Tags: [{ Key: "team", Value: "b" }] }));
  const untagged = await admin.sm!.send(new CreateSecretCommand({ Name: "plain", SecretString: "x" }));
  expect((await asRole.sm.send(new GetSecretValueCommand({ SecretId: ours.ARN }))).SecretString).toBe("s3cret");
  for (const arn of [theirs.ARN, untagged.ARN]) {
    const err = await errorOf(asRole.sm.send(new GetSecretValueCommand({ SecretId: arn })));
    expect(err.name).toBe("AccessDeniedException");
    expect(err.message).toContain("secretsmanager:GetSecretValue");
  }
  await admin.sm!.send(new TagResourceCommand({ SecretId: theirs.ARN, Tags: [{ Key: "team", Value: "a" }] }));
  expect((await asRole.sm.send(new GetSecretValueCommand({ SecretId: theirs.ARN }))).SecretString).toBe("other");
});

it("aws:ResourceTag/<key> on an SQS queue", async () => {
  const tagged = await admin.sqs!.send(new CreateQueueCommand({ QueueName: "team-a-jobs", tags: { team: "a" } }));
  const other = await admin.sqs!.send(new CreateQueueCommand({ QueueName: "team-b-jobs", tags: { team: "b" } }));
  expect((await asRole.sqs.send(new SendMessageCommand({ QueueUrl: tagged.QueueUrl, MessageBody: "hi" }))).MessageId).toBeTruthy();
  const err = await errorOf(asRole.sqs.send(new SendMessageCommand({ QueueUrl: other.QueueUrl, MessageBody: "hi" })));
  expect(err.name).toMatch(/AccessDenied/);
});

it("the participant policy: her own cluster's RDS-managed secret, not another participant's", async () => {
  const iam = new IAMClient(cloud.clientConfig);
  await iam.send(new CreateRoleCommand({ RoleName: "participant-ana", AssumeRolePolicyDocument: doc({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: "sts:AssumeRole" }) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: "participant-ana", PolicyName: "participant", PolicyDocument: JSON.stringify(participantPolicy("ana", { account: ACCT })) }));
  iam.destroy();
  const sts = new STSClient(cloud.clientConfig);
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCT}:role/participant-ana`, RoleSessionName: "ana" }))).Credentials!;
  sts.destroy();
  const ana = new SecretsManagerClient({ ...cloud.clientConfig, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
  const rds = new RDSClient(cloud.clientConfig);
  const cluster = async (id: string) =>
    (await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: id, Engine: "aurora-postgresql", MasterUsername: "labadmin", ManageMasterUserPassword: true, EnableHttpEndpoint: true, ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 1 } }))).DBCluster!.MasterUserSecret!.SecretArn!;
  try {
    const hers = await cluster("sel-ana-04-aaaaaa-db");
    const beas = await cluster("sel-bea-04-bbbbbb-db");
    expect(JSON.parse((await ana.send(new GetSecretValueCommand({ SecretId: hers }))).SecretString!)).toMatchObject({ username: "labadmin" });
    expect((await errorOf(ana.send(new GetSecretValueCommand({ SecretId: beas })))).name).toBe("AccessDeniedException");
  } finally {
    ana.destroy();
    rds.destroy();
  }
});
