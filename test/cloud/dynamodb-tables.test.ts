// DynamoDB through the embedded dynalite, driven by the real SDK v3 clients
// (client-dynamodb and lib-dynamodb) and the AWS CLI: table lifecycle with the
// waiters, CRUD, conditional writes, update expressions, queries, TTL settings,
// tags, IAM-shaped errors for unknown operations, and persistence across a restart.
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  ResourceNotFoundException,
  TagResourceCommand,
  TransactWriteItemsCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";

let cloud: TestCloud;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;

function clients(c: TestCloud) {
  ddb = new DynamoDBClient(c.clientConfig);
  doc = DynamoDBDocumentClient.from(ddb);
}

beforeAll(async () => {
  cloud = await startTestCloud();
  clients(cloud);
  await ddb.send(
    new CreateTableCommand({
      TableName: "photos",
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "bucket", AttributeType: "S" },
        { AttributeName: "key", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "bucket", KeyType: "HASH" },
        { AttributeName: "key", KeyType: "RANGE" },
      ],
    }),
  );
  await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName: "photos" });
});
afterAll(async () => {
  await cloud?.close();
});

describe("tables", () => {
  it("creates a PAY_PER_REQUEST table that becomes ACTIVE, with an ARN in the caller's account and region", async () => {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: "photos" }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(Table?.TableArn).toBe("arn:aws:dynamodb:us-east-1:000000000000:table/photos");
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames).toContain("photos");
  });

  it("answers ResourceNotFoundException for a table that does not exist", async () => {
    const err = await ddb.send(new DescribeTableCommand({ TableName: "nope" })).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
  });

  it("deletes a table and waitUntilTableNotExists returns", async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: "scratch",
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      }),
    );
    await waitUntilTableExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName: "scratch" });
    await ddb.send(new DeleteTableCommand({ TableName: "scratch" }));
    const result = await waitUntilTableNotExists({ client: ddb, maxWaitTime: 20, minDelay: 1 }, { TableName: "scratch" });
    expect(result.state).toBe("SUCCESS");
  });

  it("accepts and describes TTL settings", async () => {
    const before = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "photos" }));
    expect(before.TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED");
    const updated = await ddb.send(
      new UpdateTimeToLiveCommand({ TableName: "photos", TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" } }),
    );
    expect(updated.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "expiresAt" });
    const after = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "photos" }));
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" });
    const again = await ddb
      .send(new UpdateTimeToLiveCommand({ TableName: "photos", TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" } }))
      .catch((e) => e);
    expect(again.name).toBe("ValidationException");
    const missing = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "nope" })).catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("tags a table", async () => {
    const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/photos";
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "kit", Value: "s3-event-labs" }] }));
    const { Tags } = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    expect(Tags).toEqual([{ Key: "kit", Value: "s3-event-labs" }]);
  });

  it("answers an operation dynalite lacks with a clear UnknownOperationException", async () => {
    const err = await ddb
      .send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: "photos", Item: { bucket: { S: "b" }, key: { S: "k" } } } }] }))
      .catch((e) => e);
    expect(err.name).toBe("UnknownOperationException");
    expect(err.message).toContain("TransactWriteItems");
  });
});

/** Listening sockets this process owns: TCP ports (v4 and v6) and Unix socket paths (Linux /proc). */
function ownListeningSockets(): { tcpPorts: number[]; unixPaths: string[] } {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync("/proc/self/fd")) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // fd closed while listing
    }
  }
  const tcpPorts: number[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT, st 0A = LISTEN, inode is the 10th field
      if (f.length > 9 && f[3] === "0A" && inodes.has(f[9]!)) tcpPorts.push(parseInt(f[1]!.split(":")[1]!, 16));
    }
  }
  const unixPaths: string[] = [];
  for (const line of fs.readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    // Flags 00010000 = __SO_ACCEPTCON (listening); inode is the 7th field, the path the 8th
    if (f.length > 6 && f[3] === "00010000" && inodes.has(f[6]!)) unixPaths.push(f[7] ?? "(unnamed)");
  }
  return { tcpPorts: [...new Set(tcpPorts)], unixPaths };
}

describe("no side door", () => {
  it.skipIf(process.platform !== "linux")("dynalite listens on no socket: after tables, items and TTL checks, the gateway's port is the only one open", async () => {
    // Every path into dynalite has been used by now (requests, internal DescribeTable for TTL, table state timers).
    await doc.send(new PutCommand({ TableName: "photos", Item: { bucket: "side", key: "door.jpg" } }));
    await ddb.send(new DescribeTimeToLiveCommand({ TableName: "photos" }));
    const gatewayPort = Number(new URL(cloud.endpoint).port);
    const { tcpPorts, unixPaths } = ownListeningSockets();
    expect(tcpPorts).toEqual([gatewayPort]);
    expect(unixPaths).toEqual([]);
  });
});

describe("items", () => {
  it("puts, gets, updates and deletes an item through the document client", async () => {
    await doc.send(new PutCommand({ TableName: "photos", Item: { bucket: "b1", key: "a.jpg", size: 10, tags: ["x"] } }));
    const got = await doc.send(new GetCommand({ TableName: "photos", Key: { bucket: "b1", key: "a.jpg" } }));
    expect(got.Item).toEqual({ bucket: "b1", key: "a.jpg", size: 10, tags: ["x"] });

    const updated = await doc.send(
      new UpdateCommand({
        TableName: "photos",
        Key: { bucket: "b1", key: "a.jpg" },
        UpdateExpression: "SET #s = #s + :inc, #st = :status REMOVE tags ADD hits :one",
        ExpressionAttributeNames: { "#s": "size", "#st": "status" },
        ExpressionAttributeValues: { ":inc": 5, ":status": "done", ":one": 1 },
        ReturnValues: "ALL_NEW",
      }),
    );
    expect(updated.Attributes).toEqual({ bucket: "b1", key: "a.jpg", size: 15, status: "done", hits: 1 });

    await doc.send(new DeleteCommand({ TableName: "photos", Key: { bucket: "b1", key: "a.jpg" } }));
    const gone = await doc.send(new GetCommand({ TableName: "photos", Key: { bucket: "b1", key: "a.jpg" } }));
    expect(gone.Item).toBeUndefined();
  });

  it("rejects a conditional put on an existing key with ConditionalCheckFailedException", async () => {
    const put = () =>
      doc.send(
        new PutCommand({
          TableName: "photos",
          Item: { bucket: "b2", key: "once.jpg", v: 1 },
          ConditionExpression: "attribute_not_exists(#k)",
          ExpressionAttributeNames: { "#k": "key" },
        }),
      );
    await put();
    const err = await put().catch((e) => e);
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect(err.message).toBe("The conditional request failed");
    expect(err.$metadata.httpStatusCode).toBe(400);
  });

  it("applies a sequencer-style conditional update only when newer (the S3 dedupe recipe)", async () => {
    const write = (sequencer: string) =>
      doc.send(
        new UpdateCommand({
          TableName: "photos",
          Key: { bucket: "b3", key: "k.jpg" },
          UpdateExpression: "SET sequencer = :seq",
          ConditionExpression: "attribute_not_exists(sequencer) OR sequencer < :seq",
          ExpressionAttributeValues: { ":seq": sequencer },
        }),
      );
    await write("0055AED6DCD90281E5");
    await write("0055AED6DCD90281F0");
    const stale = await write("0055AED6DCD90281E6").catch((e) => e);
    expect(stale).toBeInstanceOf(ConditionalCheckFailedException);
    const got = await doc.send(new GetCommand({ TableName: "photos", Key: { bucket: "b3", key: "k.jpg" } }));
    expect(got.Item?.sequencer).toBe("0055AED6DCD90281F0");
  });

  it("queries by partition key with a begins_with sort-key condition and a filter", async () => {
    const sizes: Record<string, number> = { "uploads/a.jpg": 10, "uploads/b.jpg": 12, "uploads/c.png": 30, "thumbs/a.jpg": 1 };
    for (const [key, size] of Object.entries(sizes)) {
      await doc.send(new PutCommand({ TableName: "photos", Item: { bucket: "q", key, size } }));
    }
    const res = await doc.send(
      new QueryCommand({
        TableName: "photos",
        KeyConditionExpression: "#b = :b AND begins_with(#k, :p)",
        FilterExpression: "#s < :max",
        ExpressionAttributeNames: { "#b": "bucket", "#k": "key", "#s": "size" },
        ExpressionAttributeValues: { ":b": "q", ":p": "uploads/", ":max": 14 },
      }),
    );
    expect(res.Items?.map((i) => i.key)).toEqual(["uploads/a.jpg", "uploads/b.jpg"]);
    expect(res.ScannedCount).toBe(3);
    const page = await doc.send(
      new QueryCommand({
        TableName: "photos",
        KeyConditionExpression: "#b = :b",
        ExpressionAttributeNames: { "#b": "bucket" },
        ExpressionAttributeValues: { ":b": "q" },
        Limit: 2,
        ScanIndexForward: false,
      }),
    );
    expect(page.Items?.map((i) => i.key)).toEqual(["uploads/c.png", "uploads/b.jpg"]);
    expect(page.LastEvaluatedKey).toEqual({ bucket: "q", key: "uploads/b.jpg" });
  });

  it("works from the AWS CLI", async () => {
    if (!hasAwsCli) return console.warn("skipped: no AWS CLI");
    const put = await awsCliAsync(cloud, ["dynamodb", "put-item", "--table-name", "photos", "--item", '{"bucket":{"S":"cli"},"key":{"S":"x"}}']);
    expect(put.status, put.stderr).toBe(0);
    const again = await awsCliAsync(cloud, [
      "dynamodb", "put-item", "--table-name", "photos", "--item", '{"bucket":{"S":"cli"},"key":{"S":"x"}}',
      "--condition-expression", "attribute_not_exists(#k)", "--expression-attribute-names", '{"#k":"key"}',
    ]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("ConditionalCheckFailedException");
    const get = await awsCliAsync(cloud, ["dynamodb", "get-item", "--table-name", "photos", "--key", '{"bucket":{"S":"cli"},"key":{"S":"x"}}']);
    expect(JSON.parse(get.stdout).Item.key.S).toBe("x");
  });
});

describe("persistence", () => {
  it("keeps tables, items and TTL settings across a restart", async () => {
    await doc.send(new PutCommand({ TableName: "photos", Item: { bucket: "persist", key: "p.jpg", n: 42 } }));
    cloud = await cloud.restart();
    clients(cloud);
    const got = await doc.send(new GetCommand({ TableName: "photos", Key: { bucket: "persist", key: "p.jpg" } }));
    expect(got.Item).toEqual({ bucket: "persist", key: "p.jpg", n: 42 });
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: "photos" }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("ENABLED");
  });

  it("forgets every table on reset", async () => {
    const res = await fetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBe(200);
    const { TableNames } = await ddb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual([]);
  });
});
