// SQS over the other wires: the real AWS CLI (`aws sqs …`, botocore 1.43,
// which speaks awsJson 1.0 with x-amzn-query-mode like SDK v3) including its
// error output, and the awsQuery protocol (form-encoded Action=…, what older
// SDKs send) with its XML success and error shapes, posted to "/" and to the
// queue URL itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createHash } from "node:crypto";
import { parseXml } from "../../src/cloud/protocols/xml.js";
import { signedFetch } from "../helpers/signed-fetch.js";

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud?.close();
});

const AUTH = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc";

const LISTS = ["QueueUrl", "Attribute", "MessageAttribute", "SendMessageBatchResultEntry", "BatchResultErrorEntry", "Tag"];

async function query(params: Record<string, string>, path = "/", lists = LISTS): Promise<{ status: number; body: Record<string, any>; text: string }> {
  const res = await signedFetch(cloud.endpoint + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization: AUTH },
    body: new URLSearchParams({ Version: "2012-11-05", ...params }).toString(),
  });
  const text = await res.text();
  return { status: res.status, text, body: parseXml(text, lists) };
}

describe.skipIf(!hasAwsCli)("aws sqs (CLI)", () => {
  const cli = async (...args: string[]) => {
    const r = await awsCliAsync(cloud, ["sqs", ...args, "--output", "json"]);
    return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
  };

  it("creates, sends, receives with attributes and deletes", async () => {
    const created = await cli("create-queue", "--queue-name", "cli-q", "--attributes", "VisibilityTimeout=7");
    expect(created.status, created.stderr).toBe(0);
    const url = created.json.QueueUrl as string;
    expect(url).toBe(`${cloud.endpoint}/000000000000/cli-q`);
    const sent = await cli("send-message", "--queue-url", url, "--message-body", "from the cli", "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}');
    expect(sent.status, sent.stderr).toBe(0);
    expect(sent.json.MD5OfMessageBody).toBe(createHash("md5").update("from the cli").digest("hex"));
    const got = await cli("receive-message", "--queue-url", url, "--attribute-names", "All", "--message-attribute-names", "All", "--wait-time-seconds", "1");
    expect(got.status, got.stderr).toBe(0);
    const message = got.json.Messages[0];
    expect(message.Body).toBe("from the cli");
    expect(message.MessageAttributes.k).toEqual({ StringValue: "v", DataType: "String" });
    expect(message.Attributes.ApproximateReceiveCount).toBe("1");
    const del = await cli("delete-message", "--queue-url", url, "--receipt-handle", message.ReceiptHandle);
    expect(del.status, del.stderr).toBe(0);
    const attrs = await cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "All");
    expect(attrs.json.Attributes).toMatchObject({ VisibilityTimeout: "7", ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" });
    const list = await cli("list-queues", "--queue-name-prefix", "cli-");
    expect(list.json.QueueUrls).toEqual([url]);
  });

  it("prints AWS's error codes: the query code for a missing queue, QueueAlreadyExists, InvalidAttributeValue", async () => {
    const missing = await cli("get-queue-url", "--queue-name", "cli-missing");
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("An error occurred (AWS.SimpleQueueService.NonExistentQueue) when calling the GetQueueUrl operation: The specified queue does not exist.");
    await cli("create-queue", "--queue-name", "cli-dup", "--attributes", "DelaySeconds=1");
    const dup = await cli("create-queue", "--queue-name", "cli-dup", "--attributes", "DelaySeconds=2");
    expect(dup.stderr).toContain("An error occurred (QueueAlreadyExists) when calling the CreateQueue operation: A queue already exists with the same name and a different value for attribute DelaySeconds");
    const bad = await cli("set-queue-attributes", "--queue-url", `${cloud.endpoint}/000000000000/cli-dup`, "--attributes", "VisibilityTimeout=-1");
    expect(bad.stderr).toContain("(InvalidAttributeValue)");
    expect(bad.stderr).toContain("Invalid value for the parameter VisibilityTimeout.");
  });

  it("sends a batch and purges", async () => {
    const url = (await cli("create-queue", "--queue-name", "cli-batch")).json.QueueUrl as string;
    const batch = await cli("send-message-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "a", MessageBody: "1" }, { Id: "a", MessageBody: "2" }]));
    expect(batch.stderr).toContain("(AWS.SimpleQueueService.BatchEntryIdsNotDistinct)");
    const ok = await cli("send-message-batch", "--queue-url", url, "--entries", JSON.stringify([{ Id: "a", MessageBody: "1" }, { Id: "b", MessageBody: "2" }]));
    expect(ok.json.Successful).toHaveLength(2);
    expect((await cli("purge-queue", "--queue-url", url)).status).toBe(0);
    const again = await cli("purge-queue", "--queue-url", url);
    expect(again.stderr).toContain("(AWS.SimpleQueueService.PurgeQueueInProgress)");
  });
});

describe("awsQuery protocol", () => {
  it("creates a queue with attributes and tags, and reads them back as <Attribute>/<Tag> lists", async () => {
    const created = await query({ Action: "CreateQueue", QueueName: "legacy", "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "12", "Tag.1.Key": "team", "Tag.1.Value": "labs" });
    expect(created.status).toBe(200);
    const url = created.body.CreateQueueResponse.CreateQueueResult.QueueUrl[0];
    expect(url).toBe(`${cloud.endpoint}/000000000000/legacy`);
    expect(created.body.CreateQueueResponse.ResponseMetadata.RequestId).toBeTruthy();
    const attrs = await query({ Action: "GetQueueAttributes", QueueUrl: url, "AttributeName.1": "VisibilityTimeout", "AttributeName.2": "QueueArn" });
    expect(attrs.body.GetQueueAttributesResponse.GetQueueAttributesResult.Attribute).toEqual([
      { Name: "QueueArn", Value: "arn:aws:sqs:us-east-1:000000000000:legacy" },
      { Name: "VisibilityTimeout", Value: "12" },
    ]);
    const tags = await query({ Action: "ListQueueTags", QueueUrl: url });
    expect(tags.body.ListQueueTagsResponse.ListQueueTagsResult.Tag).toEqual([{ Key: "team", Value: "labs" }]);
    const list = await query({ Action: "ListQueues", QueueNamePrefix: "leg" });
    expect(list.body.ListQueuesResponse.ListQueuesResult.QueueUrl).toEqual([url]);
  });

  it("sends with message attributes and receives <Message> with <Attribute> and <MessageAttribute>", async () => {
    await query({ Action: "CreateQueue", QueueName: "legacy-msgs" });
    // Posted to the queue URL's path, without QueueUrl in the form, as older clients do.
    const sent = await query(
      { Action: "SendMessage", MessageBody: "hello <xml> & co", "MessageAttribute.1.Name": "timestamp", "MessageAttribute.1.Value.DataType": "Number", "MessageAttribute.1.Value.StringValue": "1493147359900" },
      "/000000000000/legacy-msgs",
    );
    expect(sent.status, sent.text).toBe(200);
    const result = sent.body.SendMessageResponse.SendMessageResult;
    expect(result.MD5OfMessageAttributes).toBe("235c5c510d26fb653d073faed50ae77c");
    const got = await query(
      { Action: "ReceiveMessage", QueueUrl: `${cloud.endpoint}/000000000000/legacy-msgs`, "AttributeName.1": "All", "MessageAttributeName.1": "All", MaxNumberOfMessages: "10" },
      "/",
      [...LISTS, "Message"],
    );
    const message = got.body.ReceiveMessageResponse.ReceiveMessageResult.Message[0];
    expect(message.Body).toBe("hello <xml> & co");
    expect(message.MessageId).toBe(result.MessageId);
    expect(message.MD5OfBody).toBe(result.MD5OfMessageBody);
    expect(message.Attribute.map((a: { Name: string }) => a.Name)).toEqual(expect.arrayContaining(["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]));
    expect(message.MessageAttribute).toEqual([{ Name: "timestamp", Value: { StringValue: "1493147359900", DataType: "Number" } }]);
    const deleted = await query({ Action: "DeleteMessage", QueueUrl: `${cloud.endpoint}/000000000000/legacy-msgs`, ReceiptHandle: message.ReceiptHandle });
    expect(deleted.status).toBe(200);
    expect(deleted.body.DeleteMessageResponse.ResponseMetadata.RequestId).toBeTruthy();
    expect(deleted.body.DeleteMessageResponse.DeleteMessageResult).toBeUndefined();
    const empty = await query({ Action: "ReceiveMessage", QueueUrl: `${cloud.endpoint}/000000000000/legacy-msgs` });
    expect(empty.text).toContain("<ReceiveMessageResult></ReceiveMessageResult>");
  });

  it("answers batches with result and error entries", async () => {
    await query({ Action: "CreateQueue", QueueName: "legacy-batch" });
    const out = await query({
      Action: "SendMessageBatch",
      QueueUrl: `${cloud.endpoint}/000000000000/legacy-batch`,
      "SendMessageBatchRequestEntry.1.Id": "good",
      "SendMessageBatchRequestEntry.1.MessageBody": "ok",
      "SendMessageBatchRequestEntry.2.Id": "bad",
      "SendMessageBatchRequestEntry.2.MessageBody": "x",
      "SendMessageBatchRequestEntry.2.DelaySeconds": "1000",
    });
    const result = out.body.SendMessageBatchResponse.SendMessageBatchResult;
    expect(result.SendMessageBatchResultEntry).toEqual([{ Id: "good", MessageId: expect.any(String), MD5OfMessageBody: "444bcb3a3fcf8389296c49467f27e1d6" }]);
    expect(result.BatchResultErrorEntry).toEqual([{ Id: "bad", SenderFault: "true", Code: "InvalidParameterValue", Message: expect.stringContaining("DelaySeconds") }]);
  });

  it("answers errors in the query shape with the query codes", async () => {
    const missing = await query({ Action: "GetQueueUrl", QueueName: "legacy-nope" });
    expect(missing.status).toBe(400);
    expect(missing.body.ErrorResponse.Error).toEqual({ Type: "Sender", Code: "AWS.SimpleQueueService.NonExistentQueue", Message: "The specified queue does not exist." });
    await query({ Action: "CreateQueue", QueueName: "legacy-exists", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "3" });
    const exists = await query({ Action: "CreateQueue", QueueName: "legacy-exists", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "4" });
    expect(exists.body.ErrorResponse.Error.Code).toBe("QueueAlreadyExists");
    const handle = await query({ Action: "DeleteMessage", QueueUrl: `${cloud.endpoint}/000000000000/legacy-exists`, ReceiptHandle: "x y" });
    expect(handle.body.ErrorResponse.Error.Code).toBe("ReceiptHandleIsInvalid");
    const empty = await query({ Action: "DeleteMessageBatch", QueueUrl: `${cloud.endpoint}/000000000000/legacy-exists` });
    expect(empty.body.ErrorResponse.Error.Code).toBe("AWS.SimpleQueueService.EmptyBatchRequest");
    const unknown = await query({ Action: "FlyToTheMoon" });
    expect(unknown.body.ErrorResponse.Error.Code).toBe("InvalidAction");
  });

  it("answers malformed JSON on the JSON protocol without a 5xx", async () => {
    await query({ Action: "CreateQueue", QueueName: "json-bad" });
    const res = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage", "x-amzn-query-mode": "true", authorization: AUTH },
      body: "{oops",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe("com.amazonaws.sqs#SerializationException");
    const wrongType = await signedFetch(cloud.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ReceiveMessage", authorization: AUTH },
      body: JSON.stringify({ QueueUrl: `${cloud.endpoint}/000000000000/json-bad`, MaxNumberOfMessages: "many" }),
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.headers.get("x-amzn-query-error")).toBe("InvalidParameterValue;Sender");
  });
});
