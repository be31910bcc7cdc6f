// STS through the real SDK v3 clients and the AWS CLI: GetCallerIdentity for
// the administrator and for role sessions, AssumeRole against trust policies
// (account principal, role principal, service-only, ExternalId condition,
// Deny), DurationSeconds limits including role chaining, GetSessionToken,
// credentials recognised on later requests, and sessions surviving a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials } from "@aws-sdk/client-sts";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateRoleCommand } from "@aws-sdk/client-iam";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let sts: STSClient;
let iam: IAMClient;

type SdkError = Error & { $metadata: { httpStatusCode: number } };
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (e) => e as SdkError);

const trust = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const accountTrust = trust([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }]);
const lambdaTrust = trust([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]);

function stsWith(creds: Credentials): STSClient {
  return new STSClient({
    ...cloud.clientConfig,
    credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! },
  });
}

beforeAll(async () => {
  cloud = await startTestCloud();
  sts = new STSClient(cloud.clientConfig);
  iam = new IAMClient(cloud.clientConfig);
  await iam.send(new CreateRoleCommand({ RoleName: "lab-admin", AssumeRolePolicyDocument: accountTrust }));
  await iam.send(new CreateRoleCommand({ RoleName: "fn-only", AssumeRolePolicyDocument: lambdaTrust }));
});
afterAll(async () => {
  await cloud?.close();
});

describe("GetCallerIdentity", () => {
  it("shows any key the cloud did not mint as the account root", async () => {
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe("000000000000");
    expect(me.Arn).toBe("arn:aws:iam::000000000000:root");
    expect(me.UserId).toBe("000000000000");
  });
});

describe("AssumeRole", () => {
  it("returns ASIA credentials and the assumed-role user; the cloud recognises them afterwards", async () => {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "grader" }));
    const creds = out.Credentials!;
    expect(creds.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{17}$/);
    expect(creds.SecretAccessKey).toHaveLength(40);
    expect(creds.SessionToken?.length).toBeGreaterThan(40);
    const lifetime = creds.Expiration!.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    expect(out.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/lab-admin/grader");
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:grader$/);

    const me = await stsWith(creds).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::000000000000:assumed-role/lab-admin/grader");
    expect(me.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);
    expect(me.Account).toBe("000000000000");
  });

  it("refuses a role whose trust policy names only a service, in AWS's words, and logs why", async () => {
    const err = await fail(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/fn-only", RoleSessionName: "me" })));
    expect(err.name).toBe("AccessDenied");
    expect(err.$metadata.httpStatusCode).toBe(403);
    expect(err.message).toBe("User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/fn-only");
    expect(cloud.logs.some((l) => l.includes("AssumeRole denied") && l.includes("fn-only") && l.includes("trust policy"))).toBe(true);
  });

  it("answers a missing role with the same AccessDenied (existence is not revealed)", async () => {
    const err = await fail(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/ghost", RoleSessionName: "me" })));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe("User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/ghost");
  });

  it("validates RoleSessionName and DurationSeconds as AWS's model does", async () => {
    const name = await fail(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "has space" })));
    expect(name.name).toBe("ValidationError");
    expect(name.message).toBe("1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    const short = await fail(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "s", DurationSeconds: 899 })));
    expect(short.message).toBe(
      "2 validation errors detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    );
    const long = await fail(sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "me", DurationSeconds: 7200 })));
    expect(long.name).toBe("ValidationError");
    expect(long.message).toBe("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  });

  it("grants up to the role's MaxSessionDuration", async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: "lab-admin", MaxSessionDuration: 7200 }));
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "long", DurationSeconds: 7200 }));
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(7100_000);
  });

  it("lets a role session assume a role trusting its account once its identity policy allows it, for 1 hour at most (role chaining)", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "chained", MaxSessionDuration: 7200, AssumeRolePolicyDocument: accountTrust }));
    const first = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "first" }));
    const asFirst = stsWith(first.Credentials!);
    // The trust policy names only the account: the calling role needs an identity Allow too.
    const refused = await fail(asFirst.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/chained", RoleSessionName: "second" })));
    expect(refused.name).toBe("AccessDenied");
    expect(refused.message).toContain("User: arn:aws:sts::000000000000:assumed-role/lab-admin/first is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/chained");

    const allowChained = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::000000000000:role/chained" }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: "lab-admin", PolicyName: "chain", PolicyDocument: allowChained }));
    const tooLong = await fail(asFirst.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/chained", RoleSessionName: "second", DurationSeconds: 7200 })));
    expect(tooLong.message).toBe("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    const second = await asFirst.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/chained", RoleSessionName: "second" }));
    const me = await stsWith(second.Credentials!).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::000000000000:assumed-role/chained/second");

    // A trust policy naming the calling role itself needs no identity Allow (same account), with enforcement on too.
    await iam.send(
      new CreateRoleCommand({
        RoleName: "trusts-lab-admin",
        AssumeRolePolicyDocument: trust([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:role/lab-admin" }, Action: "sts:AssumeRole" }]),
      }),
    );
    const third = await asFirst.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/trusts-lab-admin", RoleSessionName: "third" }));
    expect(third.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/trusts-lab-admin/third");
  });

  it("honours an ExternalId condition and a Deny statement", async () => {
    await iam.send(
      new CreateRoleCommand({
        RoleName: "partner",
        AssumeRolePolicyDocument: trust([
          { Effect: "Allow", Principal: { AWS: "000000000000" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "lab-42" } } },
          { Effect: "Deny", Principal: { AWS: "*" }, Action: "sts:*", Condition: { StringLike: { "sts:RoleSessionName": "blocked-*" } } },
        ]),
      }),
    );
    const arn = "arn:aws:iam::000000000000:role/partner";
    expect((await fail(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "p1" })))).name).toBe("AccessDenied");
    expect((await fail(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "p1", ExternalId: "wrong" })))).name).toBe("AccessDenied");
    const ok = await sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "p1", ExternalId: "lab-42" }));
    expect(ok.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/partner/p1");
    const denied = await fail(sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: "blocked-1", ExternalId: "lab-42" })));
    expect(denied.name).toBe("AccessDenied");
  });
});

describe("GetSessionToken", () => {
  it("gives the administrator temporary credentials that still act as the administrator", async () => {
    const out = await sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const lifetime = out.Credentials!.Expiration!.getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    const me = await stsWith(out.Credentials!).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:iam::000000000000:root");
  });

  it("is refused to a role session", async () => {
    const session = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "s1" }));
    const err = await fail(stsWith(session.Credentials!).send(new GetSessionTokenCommand({})));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe("Cannot call GetSessionToken with session credentials");
  });
});

describe("the AWS CLI", () => {
  it.skipIf(!hasAwsCli)("aws sts get-caller-identity and assume-role", async () => {
    const me = await awsCliAsync(cloud, ["sts", "get-caller-identity", "--output", "json"]);
    expect(me.status).toBe(0);
    expect(JSON.parse(me.stdout)).toEqual({ UserId: "000000000000", Account: "000000000000", Arn: "arn:aws:iam::000000000000:root" });
    const assumed = await awsCliAsync(cloud, ["sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/lab-admin", "--role-session-name", "cli", "--output", "json"]);
    expect(assumed.status).toBe(0);
    expect(JSON.parse(assumed.stdout).AssumedRoleUser.Arn).toBe("arn:aws:sts::000000000000:assumed-role/lab-admin/cli");
    const denied = await awsCliAsync(cloud, ["sts", "assume-role", "--role-arn", "arn:aws:iam::000000000000:role/fn-only", "--role-session-name", "cli"]);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain("An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/fn-only");
  });
});

describe("persistence", () => {
  it("recognises role-session credentials after a restart", async () => {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "durable" }));
    cloud = await cloud.restart();
    sts = new STSClient(cloud.clientConfig);
    iam = new IAMClient(cloud.clientConfig);
    const me = await stsWith(out.Credentials!).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe("arn:aws:sts::000000000000:assumed-role/lab-admin/durable");
    // And the role, with its trust policy, is still there to be assumed again.
    const again = await sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/lab-admin", RoleSessionName: "again" }));
    expect(again.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/lab-admin/again");
  });
});

describe("the AssumeRole decision itself (enforcement off, so only STS decides)", () => {
  let open: TestCloud;
  let openSts: STSClient;
  let openIam: IAMClient;
  const asSession = (creds: Credentials) =>
    new STSClient({ ...open.clientConfig, credentials: { accessKeyId: creds.AccessKeyId!, secretAccessKey: creds.SecretAccessKey!, sessionToken: creds.SessionToken! } });

  beforeAll(async () => {
    open = await startTestCloud({ iam: "off" });
    openSts = new STSClient(open.clientConfig);
    openIam = new IAMClient(open.clientConfig);
    await openIam.send(new CreateRoleCommand({ RoleName: "caller", AssumeRolePolicyDocument: accountTrust }));
    await openIam.send(new CreateRoleCommand({ RoleName: "account-wide", AssumeRolePolicyDocument: accountTrust }));
    await openIam.send(
      new CreateRoleCommand({
        RoleName: "names-caller",
        AssumeRolePolicyDocument: trust([{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:role/caller" }, Action: "sts:AssumeRole" }]),
      }),
    );
  });
  afterAll(async () => {
    await open?.close();
  });

  it("a trust policy naming the calling role suffices on its own; naming the account needs the caller's identity policy", async () => {
    const session = (await openSts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/caller", RoleSessionName: "c1" }))).Credentials!;
    const named = await asSession(session).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/names-caller", RoleSessionName: "c2" }));
    expect(named.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/names-caller/c2");

    const accountWide = await fail(asSession(session).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/account-wide", RoleSessionName: "c3" })));
    expect(accountWide.name).toBe("AccessDenied");
    expect(open.logs.some((l) => l.includes("names the caller's account, so an identity policy of the caller must allow sts:AssumeRole"))).toBe(true);

    // An identity policy that allows it, and then an explicit Deny that wins over both.
    const allow = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] });
    await openIam.send(new PutRolePolicyCommand({ RoleName: "caller", PolicyName: "assume", PolicyDocument: allow }));
    const ok = await asSession(session).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/account-wide", RoleSessionName: "c3" }));
    expect(ok.AssumedRoleUser?.Arn).toBe("arn:aws:sts::000000000000:assumed-role/account-wide/c3");
    const deny = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "sts:AssumeRole", Resource: "arn:aws:iam::000000000000:role/names-caller" }] });
    await openIam.send(new PutRolePolicyCommand({ RoleName: "caller", PolicyName: "no-names-caller", PolicyDocument: deny }));
    const denied = await fail(asSession(session).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/names-caller", RoleSessionName: "c4" })));
    expect(denied.name).toBe("AccessDenied");
    expect(open.logs.some((l) => l.includes("explicitly denied") && l.includes("no-names-caller"))).toBe(true);
  });

  it("the administrator may not assume a role whose trust policy names only another role", async () => {
    const err = await fail(openSts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/names-caller", RoleSessionName: "admin" })));
    expect(err.name).toBe("AccessDenied");
    expect(err.message).toBe("User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/names-caller");
  });
});
