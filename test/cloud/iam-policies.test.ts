// IAM policies through the real SDK v3 client and the AWS CLI: inline role
// policies, AWS managed policies with their real documents, customer managed
// policies with versions, attach/detach, ListEntitiesForPolicy, the
// DeleteConflict / LimitExceeded / NoSuchEntity answers, and the internal API
// the policy engine reads.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SetDefaultPolicyVersionCommand,
} from "@aws-sdk/client-iam";
import type { IamInternalApi } from "../../src/cloud/core/internal-apis.js";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let iam: IAMClient;
/** One attempt: the SDK retries LimitExceededException as if it were throttling. */
let iamOnce: IAMClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig);
  iamOnce = new IAMClient({ ...cloud.clientConfig, maxAttempts: 1 });
  await iam.send(new CreateRoleCommand({ RoleName: "fn-role", AssumeRolePolicyDocument: lambdaTrust }));
});
afterAll(async () => {
  await cloud?.close();
});

type SdkError = Error & { $metadata: { httpStatusCode: number } };
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected a failure"); }, (e) => e as SdkError);

const lambdaTrust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});
const putItem = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Sid: "Write", Effect: "Allow", Action: ["dynamodb:PutItem"], Resource: "arn:aws:dynamodb:us-east-1:000000000000:table/ImageMetadata" }],
});
const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const SQS_EXEC = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole";
const S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

describe("inline role policies", () => {
  it("puts, gets (URL-encoded), lists and deletes", async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "write-metadata", PolicyDocument: putItem }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: "fn-role", PolicyName: "write-metadata" }));
    expect(got.RoleName).toBe("fn-role");
    expect(got.PolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(JSON.parse(decodeURIComponent(got.PolicyDocument!))).toEqual(JSON.parse(putItem));

    await iam.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "another", PolicyDocument: putItem }));
    const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: "fn-role" }))).PolicyNames;
    expect(names).toEqual(["another", "write-metadata"]);

    await iam.send(new DeleteRolePolicyCommand({ RoleName: "fn-role", PolicyName: "another" }));
    const gone = await fail(iam.send(new GetRolePolicyCommand({ RoleName: "fn-role", PolicyName: "another" })));
    expect(gone.name).toBe("NoSuchEntityException");
    expect(gone.message).toBe("The role policy with name another cannot be found.");
    const again = await fail(iam.send(new DeleteRolePolicyCommand({ RoleName: "fn-role", PolicyName: "another" })));
    expect(again.$metadata.httpStatusCode).toBe(404);
  });

  it("replaces a policy put again under the same name", async () => {
    const v2 = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:*", Resource: "*" }] });
    await iam.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "write-metadata", PolicyDocument: v2 }));
    const got = await iam.send(new GetRolePolicyCommand({ RoleName: "fn-role", PolicyName: "write-metadata" }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(v2);
    await iam.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "write-metadata", PolicyDocument: putItem }));
  });

  const grammar: Array<[string, unknown, string]> = [
    ["invalid JSON", "{", "This policy contains invalid Json"],
    ["a statement without actions", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }, "Policy statement must contain actions."],
    ["a statement without resources", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] }, "Policy statement must contain resources."],
    ["a principal", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }] }, "Policy document should not specify a principal."],
  ];
  for (const [label, doc, message] of grammar) {
    it(`refuses ${label} with MalformedPolicyDocument`, async () => {
      const text = typeof doc === "string" ? doc : JSON.stringify(doc);
      const err = await fail(iam.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "bad", PolicyDocument: text })));
      expect(err.name).toBe("MalformedPolicyDocumentException");
      expect(err.message).toBe(message);
    });
  }

  it("refuses a policy for a missing role and inline policies over 10,240 characters in total", async () => {
    const missing = await fail(iam.send(new PutRolePolicyCommand({ RoleName: "ghost", PolicyName: "p", PolicyDocument: putItem })));
    expect(missing.message).toBe("The role with name ghost cannot be found.");
    const big = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: Array.from({ length: 450 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }],
    });
    const err = await fail(iamOnce.send(new PutRolePolicyCommand({ RoleName: "fn-role", PolicyName: "big", PolicyDocument: big })));
    expect(err.name).toBe("LimitExceededException");
    expect(err.message).toBe("Maximum policy size of 10240 bytes exceeded for role fn-role");
  });
});

describe("AWS managed policies", () => {
  it("serves the policies the labs attach, with their real documents and ARNs", async () => {
    const basic = (await iam.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy!;
    expect(basic.PolicyName).toBe("AWSLambdaBasicExecutionRole");
    expect(basic.Path).toBe("/service-role/");
    expect(basic.DefaultVersionId).toBe("v1");
    expect(basic.IsAttachable).toBe(true);
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: BASIC, VersionId: "v1" }))).PolicyVersion!;
    expect(version.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(version.Document!))).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
    });

    const sqs = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: SQS_EXEC, VersionId: "v1" }))).PolicyVersion!;
    expect(JSON.parse(decodeURIComponent(sqs.Document!)).Statement[0].Action).toEqual([
      "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
    ]);
    const read = (await iam.send(new GetPolicyCommand({ PolicyArn: S3_READ }))).Policy!;
    expect(read.DefaultVersionId).toBe("v3");
    const readDoc = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: S3_READ, VersionId: "v3" }))).PolicyVersion!;
    expect(JSON.parse(decodeURIComponent(readDoc.Document!)).Statement[0].Action).toEqual(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]);
  });

  it("lists AWS policies under Scope AWS, with service-role and top-level ARNs", async () => {
    const arns = (await iam.send(new ListPoliciesCommand({ Scope: "AWS" }))).Policies!.map((p) => p.Arn);
    expect(arns).toEqual(expect.arrayContaining([
      BASIC, SQS_EXEC, S3_READ,
      "arn:aws:iam::aws:policy/AmazonS3FullAccess",
      "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
      "arn:aws:iam::aws:policy/AmazonSNSFullAccess",
      "arn:aws:iam::aws:policy/AmazonSQSFullAccess",
      "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
      "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
    ]));
    const bad = await fail(iam.send(new ListPoliciesCommand({ Scope: "Everything" as "All" })));
    expect(bad.message).toContain("Member must satisfy enum value set: [All, AWS, Local]");
  });

  it("cannot be deleted or changed by the account", async () => {
    const err = await fail(iam.send(new DeletePolicyCommand({ PolicyArn: S3_READ })));
    expect(err.name).toBe("AccessDenied");
    expect(err.$metadata.httpStatusCode).toBe(403);
  });

  it("attaches, counts attachments, lists attached and detaches", async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: BASIC }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: BASIC })); // a no-op, as on AWS
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: S3_READ }));
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "fn-role" }))).AttachedPolicies;
    expect(attached).toEqual([
      { PolicyName: "AWSLambdaBasicExecutionRole", PolicyArn: BASIC },
      { PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: S3_READ },
    ]);
    const onlyServiceRole = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "fn-role", PathPrefix: "/service-role/" }))).AttachedPolicies;
    expect(onlyServiceRole?.map((p) => p.PolicyName)).toEqual(["AWSLambdaBasicExecutionRole"]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy?.AttachmentCount).toBe(1);
    const onlyAttached = (await iam.send(new ListPoliciesCommand({ OnlyAttached: true }))).Policies!.map((p) => p.PolicyName);
    expect(onlyAttached).toEqual(["AmazonS3ReadOnlyAccess", "AWSLambdaBasicExecutionRole"].sort((a, b) => a.localeCompare(b)));

    await iam.send(new DetachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: S3_READ }));
    const notAttached = await fail(iam.send(new DetachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: S3_READ })));
    expect(notAttached.name).toBe("NoSuchEntityException");
    expect(notAttached.message).toBe(`Policy ${S3_READ} was not found.`);
  });

  it("refuses to attach a policy that does not exist", async () => {
    const err = await fail(iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRol" })));
    expect(err.name).toBe("NoSuchEntityException");
    expect(err.message).toBe("Policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRol does not exist or is not attachable.");
    // A common slip: the service-role policy without its path.
    const noPath = await fail(iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole" })));
    expect(noPath.name).toBe("NoSuchEntityException");
  });
});

describe("customer managed policies", () => {
  let arn = "";

  it("creates with an ANPA id and the account's ARN; refuses duplicates", async () => {
    const out = (await iam.send(new CreatePolicyCommand({ PolicyName: "metadata-writer", Path: "/labs/", PolicyDocument: putItem, Description: "writes metadata" }))).Policy!;
    arn = out.Arn!;
    expect(arn).toBe("arn:aws:iam::000000000000:policy/labs/metadata-writer");
    expect(out.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
    expect(out.DefaultVersionId).toBe("v1");
    expect(out.AttachmentCount).toBe(0);
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    expect(got.Description).toBe("writes metadata");
    const dup = await fail(iam.send(new CreatePolicyCommand({ PolicyName: "metadata-writer", PolicyDocument: putItem })));
    expect(dup.name).toBe("EntityAlreadyExistsException");
    expect(dup.message).toBe("A policy called metadata-writer already exists. Duplicate names are not allowed.");
    const local = (await iam.send(new ListPoliciesCommand({ Scope: "Local" }))).Policies!.map((p) => p.Arn);
    expect(local).toEqual([arn]);
  });

  it("keeps up to 5 versions, switches the default, guards the default version", async () => {
    const doc = (n: number) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: `arn:aws:dynamodb:us-east-1:000000000000:table/T${n}` }] });
    const v2 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(2), SetAsDefault: true }))).PolicyVersion!;
    expect(v2.VersionId).toBe("v2");
    expect(v2.IsDefaultVersion).toBe(true);
    for (const n of [3, 4, 5]) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(n) }));
    const sixth = await fail(iamOnce.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: doc(6) })));
    expect(sixth.name).toBe("LimitExceededException");
    expect(sixth.message).toBe("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");

    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
    expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v5", false], ["v4", false], ["v3", false], ["v2", true], ["v1", false]]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy?.DefaultVersionId).toBe("v2");

    const deleteDefault = await fail(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v2" })));
    expect(deleteDefault.name).toBe("DeleteConflictException");
    expect(deleteDefault.message).toBe("Cannot delete the default version of a policy.");
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }));
    const v5 = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v5" }))).PolicyVersion!;
    expect(v5.IsDefaultVersion).toBe(true);
    expect(decodeURIComponent(v5.Document!)).toBe(doc(5));
    const missing = await fail(iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v9" })));
    expect(missing.name).toBe("NoSuchEntityException");
  });

  it("shows which roles use it; refuses deletion while attached or while it has other versions", async () => {
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: arn }));
    const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }));
    expect(entities.PolicyRoles?.map((r) => r.RoleName)).toEqual(["fn-role"]);
    expect(entities.PolicyRoles?.[0]?.RoleId).toMatch(/^AROA/);
    expect(entities.PolicyUsers).toEqual([]);

    // The policy engine reads the default version of attached policies through the internal API.
    const api = cloud.cloud.use<IamInternalApi>("iam")!;
    const docs = api.rolePolicies("000000000000", "fn-role");
    expect(docs.find((d) => d.arn === arn)?.document).toContain("table/T5");
    expect(docs.find((d) => d.name === "write-metadata")?.document).toBe(putItem);
    expect(docs.find((d) => d.arn === BASIC)?.document).toContain("logs:PutLogEvents");
    expect(api.getRole("000000000000", "arn:aws:iam::000000000000:role/fn-role")?.roleName).toBe("fn-role");
    expect(api.getRole("000000000000", "arn:aws:iam::000000000000:role/other-path/fn-role")).toBeUndefined();

    const attached = await fail(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    expect(attached.name).toBe("DeleteConflictException");
    expect(attached.message).toBe("Cannot delete a policy attached to entities.");
    await iam.send(new DetachRolePolicyCommand({ RoleName: "fn-role", PolicyArn: arn }));
    const versions = await fail(iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
    expect(versions.message).toBe(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
    for (const v of ["v1", "v2", "v3", "v4"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    const gone = await fail(iam.send(new GetPolicyCommand({ PolicyArn: arn })));
    expect(gone.name).toBe("NoSuchEntityException");
    expect(gone.message).toBe(`Policy ${arn} was not found.`);
  });

  it("limits a role to 10 managed policies", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "crowded", AssumeRolePolicyDocument: lambdaTrust }));
    for (let i = 0; i < 10; i++) {
      const p = (await iam.send(new CreatePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: putItem }))).Policy!;
      await iam.send(new AttachRolePolicyCommand({ RoleName: "crowded", PolicyArn: p.Arn }));
    }
    const err = await fail(iamOnce.send(new AttachRolePolicyCommand({ RoleName: "crowded", PolicyArn: BASIC })));
    expect(err.name).toBe("LimitExceededException");
    expect(err.message).toBe("Cannot exceed quota for PoliciesPerRole: 10");
  });
});

describe("the seed's CLI steps (aws iam …)", () => {
  it.skipIf(!hasAwsCli)("create-role from file://, put-role-policy, attach-role-policy, get-role decoded by the CLI", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iam-cli-"));
    const trustFile = path.join(dir, "trust.json");
    const policyFile = path.join(dir, "policy.json");
    fs.writeFileSync(trustFile, JSON.stringify(JSON.parse(lambdaTrust), null, 2) + "\n");
    fs.writeFileSync(policyFile, JSON.stringify(JSON.parse(putItem), null, 2) + "\n");

    const created = await awsCliAsync(cloud, ["iam", "create-role", "--role-name", "cli-role", "--assume-role-policy-document", `file://${trustFile}`, "--output", "json"]);
    expect(created.stderr).toBe("");
    expect(created.status).toBe(0);
    const role = JSON.parse(created.stdout).Role;
    expect(role.Arn).toBe("arn:aws:iam::000000000000:role/cli-role");
    // botocore decodes policy documents into JSON objects for the user.
    expect(role.AssumeRolePolicyDocument).toEqual(JSON.parse(lambdaTrust));

    const put = await awsCliAsync(cloud, ["iam", "put-role-policy", "--role-name", "cli-role", "--policy-name", "write", "--policy-document", `file://${policyFile}`]);
    expect(put.status).toBe(0);
    const attach = await awsCliAsync(cloud, ["iam", "attach-role-policy", "--role-name", "cli-role", "--policy-arn", BASIC]);
    expect(attach.status).toBe(0);

    const policy = await awsCliAsync(cloud, ["iam", "get-role-policy", "--role-name", "cli-role", "--policy-name", "write", "--output", "json"]);
    expect(JSON.parse(policy.stdout).PolicyDocument).toEqual(JSON.parse(putItem));
    const listed = await awsCliAsync(cloud, ["iam", "list-attached-role-policies", "--role-name", "cli-role", "--query", "AttachedPolicies[].PolicyArn", "--output", "text"]);
    expect(listed.stdout.trim()).toBe(BASIC);

    const missing = await awsCliAsync(cloud, ["iam", "get-role", "--role-name", "no-such-role"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name no-such-role cannot be found.");
    const conflict = await awsCliAsync(cloud, ["iam", "delete-role", "--role-name", "cli-role"]);
    expect(conflict.stderr).toContain("(DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, must detach all policies first.");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
