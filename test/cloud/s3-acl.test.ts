// Object ACLs, Object Ownership and Block Public Access as S3 has them since
// April 2023 (new buckets: ACLs disabled, public access blocked), through the
// SDK and the AWS CLI, and the s3:ObjectAcl:Put event S3 → SQS, SNS, Lambda
// and EventBridge ("Object ACL Updated") alike [SNAP test_object_put_acl]:
// record object = key + eTag, no sequencer; no event when the ACL stays the same.
import { describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteBucketOwnershipControlsCommand,
  DeletePublicAccessBlockCommand,
  GetBucketOwnershipControlsCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsCliAsync, cloudForFile, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { failure } from "../helpers/s3.js";
import { createEventSinks, VIAS, type EventSinks } from "./s3-event-sinks.js";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
let cloud: TestCloud;
let s3: S3Client;
let sinks: EventSinks;

cloudForFile(S3Client, async (c, client) => {
  [cloud, s3] = [c, client];
  sinks = await createEventSinks(c, { s3, sqs: new SQSClient(c.clientConfig), sns: new SNSClient(c.clientConfig), eb: new EventBridgeClient(c.clientConfig), lambda: new LambdaClient(c.clientConfig) }, "acl");
});

/** A bucket where ACLs work and may be public: ObjectWriter ownership, no public access block. */
async function aclBucket(name: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: name, ObjectOwnership: "ObjectWriter" }));
  await s3.send(new DeletePublicAccessBlockCommand({ Bucket: name }));
}

describe.each(VIAS)("s3:ObjectAcl:Put → %s (and EventBridge)", (via) => {
  it("a PutObjectAcl that changes the ACL sends one event (key + eTag, no sequencer); one that changes nothing sends none", async () => {
    const bucket = `acl-events-${via}`;
    await aclBucket(bucket);
    await sinks.configure(bucket, via, ["s3:ObjectAcl:Put"]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "my_key_acl", Body: "something" }));
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "my_key_acl", ACL: "public-read" }));
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "my_key_acl", ACL: "public-read" })); // no change: no event
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "my_key_acl", ACL: "private" }));
    const records = await sinks.records(via, bucket, "ObjectAcl:Put", 2);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ eventVersion: "2.5", eventName: "ObjectAcl:Put", s3: { configurationId: expect.any(String) } });
    expect(records[0].s3.object).toEqual({ key: "my_key_acl", eTag: put.ETag!.replace(/"/g, "") });
    const events = await sinks.eventBridge(bucket, "Object ACL Updated", 2);
    expect(events[0].detail.object).toEqual({ key: "my_key_acl", etag: put.ETag!.replace(/"/g, "") });
    expect(events[0].detail).not.toHaveProperty("reason");
  }, 60_000);
});

describe("object ACLs", () => {
  it("GetObjectAcl shows the owner's FULL_CONTROL, then the grants a canned ACL, grant headers or an AccessControlPolicy body set", async () => {
    const bucket = "acl-grants";
    await aclBucket(bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const initial = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }));
    expect(initial.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: initial.Owner!.ID }, Permission: "FULL_CONTROL" }]);

    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "public-read" }));
    const publicRead = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }));
    expect(publicRead.Grants).toContainEqual({ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" });

    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", GrantReadACP: `uri="${ALL_USERS}"`, GrantFullControl: `id="${initial.Owner!.ID}"` }));
    const fromHeaders = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }));
    expect(fromHeaders.Grants).toHaveLength(2);
    expect(fromHeaders.Grants).toContainEqual({ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ_ACP" });

    await s3.send(
      new PutObjectAclCommand({
        Bucket: bucket,
        Key: "k",
        AccessControlPolicy: { Owner: initial.Owner, Grants: [{ Grantee: { Type: "CanonicalUser", ID: initial.Owner!.ID }, Permission: "WRITE_ACP" }] },
      }),
    );
    expect((await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }))).Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: initial.Owner!.ID }, Permission: "WRITE_ACP" }]);

    // PutObject with an ACL stores it on the new object; a bad canned name or an e-mail grantee is refused.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "with-acl", Body: "x", ACL: "authenticated-read" }));
    const withAcl = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "with-acl" }));
    expect(withAcl.Grants).toContainEqual({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" }, Permission: "READ" });
    expect((await failure(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "everyone" as never })))).name).toBe("InvalidArgument");
    expect((await failure(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", GrantRead: 'emailAddress="a@example.com"' })))).name).toBe("UnresolvableGrantByEmailAddress");
    expect((await failure(s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "missing" })))).name).toBe("NoSuchKey");
  });

  it("a new bucket has ACLs disabled (BucketOwnerEnforced): setting an ACL is AccessControlListNotSupported, except bucket-owner-full-control", async () => {
    const bucket = "acl-enforced";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerEnforced" }]);
    const put = await failure(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ACL: "public-read" })));
    expect(put).toMatchObject({ name: "AccessControlListNotSupported", message: "The bucket does not allow ACLs", status: 400 });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x", ACL: "bucket-owner-full-control" }));
    expect((await failure(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "private" })))).name).toBe("AccessControlListNotSupported");
    // Reading still works and shows the owner only.
    expect((await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "k" }))).Grants).toHaveLength(1);
  });

  it("Put/Get/DeleteBucketOwnershipControls store, return and forget the setting; a bad body is MalformedXML", async () => {
    const bucket = "acl-ownership";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerPreferred" }] } }));
    expect((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }))).OwnershipControls?.Rules).toEqual([{ ObjectOwnership: "BucketOwnerPreferred" }]);
    expect((await failure(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "Nobody" as never }] } })))).name).toBe("MalformedXML");
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
    expect(await failure(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))).toMatchObject({ name: "OwnershipControlsNotFoundError", status: 404 });
  });
});

describe("Block Public Access", () => {
  it("is all on for a new bucket; BlockPublicAcls refuses a public ACL and BlockPublicPolicy a public policy, with AccessDenied", async () => {
    const bucket = "bpa-bucket";
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectOwnership: "ObjectWriter" }));
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    expect(await failure(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "public-read" })))).toMatchObject({ name: "AccessDenied", status: 403 });
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "private" })); // not public: fine

    const publicPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] });
    const denied = await failure(s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy })));
    expect(denied).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(denied.message).toContain("because public policies are blocked by the BlockPublicPolicy block public access setting");
    // Pinned to a source IP it is not public.
    const pinned = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*`, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }] });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: pinned }));

    // Only BlockPublicAcls left on: the policy passes, the ACL still does not.
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true } }));
    expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: publicPolicy }));
    expect((await failure(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "public-read-write" })))).name).toBe("AccessDenied");
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
    expect(await failure(s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))).toMatchObject({ name: "NoSuchPublicAccessBlockConfiguration", status: 404 });
    await s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "k", ACL: "public-read" }));
  }, 60_000);
});

describe("the AWS CLI", () => {
  it("put-object-acl / get-object-acl, get-public-access-block and put-bucket-ownership-controls", async () => {
    if (!hasAwsCli) return;
    const bucket = "acl-cli";
    await aclBucket(bucket);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const put = await awsCliAsync(cloud, ["s3api", "put-object-acl", "--bucket", bucket, "--key", "k", "--acl", "public-read"]);
    expect(put.status, put.stderr).toBe(0);
    const get = await awsCliAsync(cloud, ["s3api", "get-object-acl", "--bucket", bucket, "--key", "k", "--output", "json"]);
    expect(get.status, get.stderr).toBe(0);
    expect(JSON.parse(get.stdout).Grants).toContainEqual({ Grantee: { Type: "Group", URI: ALL_USERS }, Permission: "READ" });
    const bpa = await awsCliAsync(cloud, ["s3api", "get-public-access-block", "--bucket", bucket]);
    expect(bpa.status).not.toBe(0);
    expect(bpa.stderr).toContain("NoSuchPublicAccessBlockConfiguration");
    const own = await awsCliAsync(cloud, ["s3api", "put-bucket-ownership-controls", "--bucket", bucket, "--ownership-controls", "Rules=[{ObjectOwnership=BucketOwnerEnforced}]"]);
    expect(own.status, own.stderr).toBe(0);
    const refused = await awsCliAsync(cloud, ["s3api", "put-object-acl", "--bucket", bucket, "--key", "k", "--acl", "private"]);
    expect(refused.stderr).toContain("AccessControlListNotSupported");
  }, 120_000); // five CLI runs: slow on a loaded machine
});
