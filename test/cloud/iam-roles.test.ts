// IAM roles through the real SDK v3 client: create/get/list/update/delete,
// trust policy grammar errors in AWS's words, validation errors, URL-encoded
// documents (the SDK does not decode them), tags, pagination, DeleteConflict,
// and persistence across a restart.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from "@aws-sdk/client-iam";
import { startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
let iam: IAMClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig);
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
const s3Read = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/*" }] });

describe("CreateRole / GetRole", () => {
  it("creates a role with AWS's ARN, AROA id, path and defaults", async () => {
    const out = await iam.send(new CreateRoleCommand({ RoleName: "thumbnail-role", AssumeRolePolicyDocument: lambdaTrust, Description: "Thumbnailer" }));
    expect(out.Role?.Arn).toBe("arn:aws:iam::000000000000:role/thumbnail-role");
    expect(out.Role?.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(out.Role?.Path).toBe("/");
    expect(out.Role?.CreateDate).toBeInstanceOf(Date);
    expect(Math.abs(out.Role!.CreateDate!.getTime() - Date.now())).toBeLessThan(60_000);

    const got = (await iam.send(new GetRoleCommand({ RoleName: "thumbnail-role" }))).Role!;
    expect(got.RoleId).toBe(out.Role?.RoleId);
    expect(got.Description).toBe("Thumbnailer");
    expect(got.MaxSessionDuration).toBe(3600);
  });

  it("returns the trust policy URL-encoded: the SDK hands it over undecoded", async () => {
    const got = (await iam.send(new GetRoleCommand({ RoleName: "thumbnail-role" }))).Role!;
    expect(got.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22%3A%222012-10-17%22/);
    expect(got.AssumeRolePolicyDocument).not.toContain("{");
    expect(JSON.parse(decodeURIComponent(got.AssumeRolePolicyDocument!))).toEqual(JSON.parse(lambdaTrust));
  });

  it("keeps the document exactly as sent, white space included", async () => {
    const pretty = JSON.stringify(JSON.parse(lambdaTrust), null, 2);
    await iam.send(new CreateRoleCommand({ RoleName: "pretty-role", AssumeRolePolicyDocument: pretty }));
    const got = (await iam.send(new GetRoleCommand({ RoleName: "pretty-role" }))).Role!;
    expect(decodeURIComponent(got.AssumeRolePolicyDocument!)).toBe(pretty);
  });

  it("finds a role by name whatever the case, and refuses a duplicate in any case (409)", async () => {
    const got = (await iam.send(new GetRoleCommand({ RoleName: "THUMBNAIL-ROLE" }))).Role!;
    expect(got.RoleName).toBe("thumbnail-role");
    const dup = await fail(iam.send(new CreateRoleCommand({ RoleName: "Thumbnail-Role", AssumeRolePolicyDocument: lambdaTrust })));
    expect(dup.name).toBe("EntityAlreadyExistsException");
    expect(dup.message).toBe("Role with name Thumbnail-Role already exists.");
    expect(dup.$metadata.httpStatusCode).toBe(409);
  });

  it("answers a missing role with NoSuchEntity (404)", async () => {
    const err = await fail(iam.send(new GetRoleCommand({ RoleName: "ghost" })));
    expect(err.name).toBe("NoSuchEntityException");
    expect(err.message).toBe("The role with name ghost cannot be found.");
    expect(err.$metadata.httpStatusCode).toBe(404);
  });

  it("builds the ARN from the path and stores tags and MaxSessionDuration", async () => {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName: "worker",
        Path: "/labs/02/",
        AssumeRolePolicyDocument: lambdaTrust,
        MaxSessionDuration: 7200,
        Tags: [{ Key: "lab", Value: "02" }],
      }),
    );
    expect(out.Role?.Arn).toBe("arn:aws:iam::000000000000:role/labs/02/worker");
    expect(out.Role?.Tags).toEqual([{ Key: "lab", Value: "02" }]);
    const got = (await iam.send(new GetRoleCommand({ RoleName: "worker" }))).Role!;
    expect(got.MaxSessionDuration).toBe(7200);
    expect(got.Path).toBe("/labs/02/");
  });
});

describe("trust policy grammar (MalformedPolicyDocument, 400)", () => {
  const cases: Array<[string, string, string]> = [
    ["not JSON", "{ not json", "This policy contains invalid Json"],
    ["JSON null", "null", "Syntax errors in policy."],
    ["unknown top-level element", JSON.stringify({ Version: "2012-10-17", Statement: [], Extra: 1 }), "Syntax errors in policy."],
    ["empty Statement", JSON.stringify({ Version: "2012-10-17", Statement: [] }), "Syntax errors in policy."],
    ["unknown Version", JSON.stringify({ Version: "2019-10-19", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }), "Syntax errors in policy."],
    ["lower-case effect", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }), "The policy failed legacy parsing"],
    ["no Principal", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] }), "Missing required field Principal"],
    ["a Resource", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Resource: "*" }] }), "Has prohibited field Resource"],
  ];
  for (const [label, document, message] of cases) {
    it(`refuses ${label}`, async () => {
      const err = await fail(iam.send(new CreateRoleCommand({ RoleName: "bad-trust", AssumeRolePolicyDocument: document })));
      expect(err.name).toBe("MalformedPolicyDocumentException");
      expect(err.message).toBe(message);
      expect(err.$metadata.httpStatusCode).toBe(400);
    });
  }

  it("refuses an AWS principal that is malformed or names a role that does not exist", async () => {
    for (const value of ["arn:aws:iam::000000000000:role/not-yet-created", "someone", "arn:aws:s3:::bucket"]) {
      const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: value }, Action: "sts:AssumeRole" }] });
      const err = await fail(iam.send(new CreateRoleCommand({ RoleName: "bad-principal", AssumeRolePolicyDocument: doc })));
      expect(err.name).toBe("MalformedPolicyDocumentException");
      expect(err.message).toBe(`Invalid principal in policy: "AWS":"${value}"`);
    }
    // An existing role of the account, another account's role, an account id and "*" are all fine.
    const ok = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: ["arn:aws:iam::000000000000:role/thumbnail-role", "arn:aws:iam::111122223333:role/x", "111122223333", "*"] }, Action: "sts:AssumeRole" }],
    });
    await iam.send(new CreateRoleCommand({ RoleName: "good-principal", AssumeRolePolicyDocument: ok }));
  });

  it("accepts a document without Version, as AWS does", async () => {
    const doc = JSON.stringify({ Statement: { Effect: "Allow", Principal: { AWS: "000000000000" }, Action: "sts:AssumeRole" } });
    const out = await iam.send(new CreateRoleCommand({ RoleName: "no-version", AssumeRolePolicyDocument: doc }));
    expect(out.Role?.RoleName).toBe("no-version");
  });

  it("refuses a trust policy over 2,048 characters with LimitExceeded", async () => {
    const principals = Array.from({ length: 60 }, (_, i) => `arn:aws:iam::111122223333:role/some-long-role-name-${i}`);
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: principals }, Action: "sts:AssumeRole" }] });
    // The SDK counts LimitExceededException as throttling and retries it; one attempt keeps the test quick.
    const once = new IAMClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const err = await fail(once.send(new CreateRoleCommand({ RoleName: "big-trust", AssumeRolePolicyDocument: doc })));
    expect(err.name).toBe("LimitExceededException");
    expect(err.message).toBe("Cannot exceed quota for ACLSizePerRole: 2048");
    expect(err.$metadata.httpStatusCode).toBe(409);
  });
});

describe("input validation (ValidationError)", () => {
  it("words a bad role name as AWS's validation layer does", async () => {
    const err = await fail(iam.send(new CreateRoleCommand({ RoleName: "bad name!", AssumeRolePolicyDocument: lambdaTrust })));
    expect(err.name).toBe("ValidationError");
    expect(err.message).toBe("1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  });

  it("refuses a name over 64 characters and a missing trust policy together", async () => {
    const err = await fail(iam.send(new CreateRoleCommand({ RoleName: "r".repeat(65), AssumeRolePolicyDocument: undefined as unknown as string })));
    expect(err.message).toBe(
      `2 validation errors detected: Value '${"r".repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64; Value null at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must not be null`,
    );
  });

  it("refuses a bad path and a MaxSessionDuration out of 3600..43200", async () => {
    const path = await fail(iam.send(new CreateRoleCommand({ RoleName: "p", Path: "labs", AssumeRolePolicyDocument: lambdaTrust })));
    expect(path.message).toBe("The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.");
    const max = await fail(iam.send(new CreateRoleCommand({ RoleName: "p", MaxSessionDuration: 100, AssumeRolePolicyDocument: lambdaTrust })));
    expect(max.message).toBe("1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
  });
});

describe("ListRoles", () => {
  it("lists by PathPrefix and pages with Marker/MaxItems", async () => {
    for (const n of ["page-a", "page-b", "page-c"]) {
      await iam.send(new CreateRoleCommand({ RoleName: n, Path: "/paging/", AssumeRolePolicyDocument: lambdaTrust }));
    }
    const first = await iam.send(new ListRolesCommand({ PathPrefix: "/paging/", MaxItems: 2 }));
    expect(first.Roles?.map((r) => r.RoleName)).toEqual(["page-a", "page-b"]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListRolesCommand({ PathPrefix: "/paging/", MaxItems: 2, Marker: first.Marker }));
    expect(second.Roles?.map((r) => r.RoleName)).toEqual(["page-c"]);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    // ListRoles shows documents URL-encoded too, and no tags.
    expect(second.Roles?.[0]?.AssumeRolePolicyDocument).toMatch(/^%7B/);
    const all = await iam.send(new ListRolesCommand({}));
    expect(all.Roles?.map((r) => r.RoleName)).toEqual(expect.arrayContaining(["thumbnail-role", "worker", "page-a"]));
  });

  it("refuses a marker it did not issue", async () => {
    const err = await fail(iam.send(new ListRolesCommand({ Marker: "bogus" })));
    expect(err.name).toBe("InvalidInputException");
  });
});

describe("updates and tags", () => {
  it("UpdateAssumeRolePolicy replaces the trust policy, with the same grammar", async () => {
    const doc = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "worker", PolicyDocument: doc }));
    const got = (await iam.send(new GetRoleCommand({ RoleName: "worker" }))).Role!;
    expect(decodeURIComponent(got.AssumeRolePolicyDocument!)).toBe(doc);
    const bad = await fail(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "worker", PolicyDocument: "[" })));
    expect(bad.name).toBe("MalformedPolicyDocumentException");
    const missing = await fail(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "ghost", PolicyDocument: doc })));
    expect(missing.name).toBe("NoSuchEntityException");
  });

  it("UpdateRole changes description and MaxSessionDuration", async () => {
    await iam.send(new UpdateRoleCommand({ RoleName: "worker", Description: "updated", MaxSessionDuration: 43200 }));
    const got = (await iam.send(new GetRoleCommand({ RoleName: "worker" }))).Role!;
    expect(got.Description).toBe("updated");
    expect(got.MaxSessionDuration).toBe(43200);
    const err = await fail(iam.send(new UpdateRoleCommand({ RoleName: "worker", MaxSessionDuration: 50000 })));
    expect(err.message).toContain("Member must have value less than or equal to 43200");
  });

  it("TagRole merges by key, UntagRole removes, ListRoleTags lists", async () => {
    await iam.send(new TagRoleCommand({ RoleName: "worker", Tags: [{ Key: "lab", Value: "03" }, { Key: "owner", Value: "kit" }] }));
    let tags = (await iam.send(new ListRoleTagsCommand({ RoleName: "worker" }))).Tags;
    expect(tags).toEqual([{ Key: "lab", Value: "03" }, { Key: "owner", Value: "kit" }]);
    await iam.send(new UntagRoleCommand({ RoleName: "worker", TagKeys: ["lab"] }));
    tags = (await iam.send(new ListRoleTagsCommand({ RoleName: "worker" }))).Tags;
    expect(tags).toEqual([{ Key: "owner", Value: "kit" }]);
    const dup = await fail(iam.send(new TagRoleCommand({ RoleName: "worker", Tags: [{ Key: "a", Value: "1" }, { Key: "A", Value: "2" }] })));
    expect(dup.name).toBe("InvalidInputException");
  });
});

describe("DeleteRole", () => {
  it("refuses while policies are attached or inline policies exist (DeleteConflict, 409)", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "doomed", AssumeRolePolicyDocument: lambdaTrust }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "doomed", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "doomed", PolicyName: "read", PolicyDocument: s3Read }));

    const attached = await fail(iam.send(new DeleteRoleCommand({ RoleName: "doomed" })));
    expect(attached.name).toBe("DeleteConflictException");
    expect(attached.message).toBe("Cannot delete entity, must detach all policies first.");
    expect(attached.$metadata.httpStatusCode).toBe(409);

    await iam.send(new DetachRolePolicyCommand({ RoleName: "doomed", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }));
    const inline = await fail(iam.send(new DeleteRoleCommand({ RoleName: "doomed" })));
    expect(inline.message).toBe("Cannot delete entity, must delete policies first.");

    await iam.send(new DeleteRolePolicyCommand({ RoleName: "doomed", PolicyName: "read" }));
    await iam.send(new DeleteRoleCommand({ RoleName: "doomed" }));
    const gone = await fail(iam.send(new GetRoleCommand({ RoleName: "doomed" })));
    expect(gone.name).toBe("NoSuchEntityException");
    const again = await fail(iam.send(new DeleteRoleCommand({ RoleName: "doomed" })));
    expect(again.name).toBe("NoSuchEntityException");
  });
});

describe("wire shape (awsQuery)", () => {
  const post = (form: Record<string, string>) =>
    signedFetch(cloud.endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded; charset=utf-8",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00",
      },
      body: new URLSearchParams({ Version: "2010-05-08", ...form }).toString(),
    });

  it("answers errors as <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>", async () => {
    const res = await post({ Action: "GetRole", RoleName: "ghost" });
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).toContain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">');
    expect(body).toMatch(/<Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The role with name ghost cannot be found.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });

  it("wraps results in <GetRoleResponse><GetRoleResult> with the document URL-encoded", async () => {
    const res = await post({ Action: "GetRole", RoleName: "worker" });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toMatch(/^<\?xml[^>]*>\s*<GetRoleResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><GetRoleResult><Role>/);
    expect(body).toContain("<AssumeRolePolicyDocument>%7B%22Version%22");
    expect(body).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetRoleResponse>$/);
  });

  it("names an operation it does not implement", async () => {
    const res = await post({ Action: "CreateUser", UserName: "alice" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidAction</Code>");
  });
});

describe("persistence", () => {
  it("keeps roles, ids, policies and attachments across a restart", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "durable", AssumeRolePolicyDocument: lambdaTrust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: "durable", PolicyName: "read", PolicyDocument: s3Read }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "durable", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    const before = (await iam.send(new GetRoleCommand({ RoleName: "durable" }))).Role!;

    cloud = await cloud.restart();
    iam = new IAMClient(cloud.clientConfig);
    const after = (await iam.send(new GetRoleCommand({ RoleName: "durable" }))).Role!;
    expect(after.RoleId).toBe(before.RoleId);
    expect(after.CreateDate).toEqual(before.CreateDate);
    expect(after.AssumeRolePolicyDocument).toBe(before.AssumeRolePolicyDocument);
    const policies = cloud.cloud.use<import("../../src/cloud/core/internal-apis.js").IamInternalApi>("iam")!.rolePolicies("000000000000", "durable");
    expect(policies.map((p) => p.name)).toEqual(["read", "AmazonS3ReadOnlyAccess"]);
  });

  it("forgets everything on /_localcloud/reset", async () => {
    const res = await signedFetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBeLessThan(300);
    const err = await fail(iam.send(new GetRoleCommand({ RoleName: "durable" })));
    expect(err.name).toBe("NoSuchEntityException");
  });
});
