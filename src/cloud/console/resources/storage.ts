/**
 * Buckets and their objects (versions, metadata, tags, a preview of images
 * and text), and DynamoDB tables with their first items — read through the
 * S3 and DynamoDB APIs.
 */
import type { ResourceKind, Section } from "./types.js";
import { failure, maybe } from "./types.js";

const PREVIEW_BYTES = 5 * 1024 * 1024;

interface ObjectId {
  bucket: string;
  key: string;
  versionId?: string;
}

function objectId(text: string): ObjectId {
  const parsed = JSON.parse(text) as ObjectId;
  if (typeof parsed?.bucket !== "string" || typeof parsed.key !== "string") throw new Error("id must be {bucket, key[, versionId]}");
  return parsed;
}

export const buckets: ResourceKind = {
  kind: "buckets",
  title: "Buckets",
  async list({ s3, sdk }) {
    const out = await s3.send(new sdk.s3.ListBucketsCommand({}));
    return {
      columns: ["bucket", "created"],
      items: (out.Buckets ?? []).map((b) => ({ id: b.Name!, name: b.Name!, cells: [b.Name, b.CreationDate?.toISOString()] })),
    };
  },
  async detail({ s3, sdk }, name) {
    const sections: Section[] = [];
    const [versions, notifications, policy, versioning, tags] = await Promise.all([
      s3.send(new sdk.s3.ListObjectVersionsCommand({ Bucket: name, MaxKeys: 1000 })).catch((err: unknown) => err as Error),
      maybe(() => s3.send(new sdk.s3.GetBucketNotificationConfigurationCommand({ Bucket: name }))),
      maybe(() => s3.send(new sdk.s3.GetBucketPolicyCommand({ Bucket: name }))),
      maybe(() => s3.send(new sdk.s3.GetBucketVersioningCommand({ Bucket: name }))),
      maybe(() => s3.send(new sdk.s3.GetBucketTaggingCommand({ Bucket: name }))),
    ]);
    if (versions instanceof Error) sections.push(failure("Objects", versions));
    else {
      const rows = [
        ...(versions.Versions ?? []).map((v) => ({ key: v.Key!, versionId: v.VersionId, latest: v.IsLatest, size: v.Size, modified: v.LastModified, marker: false })),
        ...(versions.DeleteMarkers ?? []).map((v) => ({ key: v.Key!, versionId: v.VersionId, latest: v.IsLatest, size: undefined, modified: v.LastModified, marker: true })),
      ].sort((a, b) => a.key.localeCompare(b.key) || Number(b.modified ?? 0) - Number(a.modified ?? 0));
      sections.push({
        type: "table",
        title: "Objects",
        columns: ["key", "size", "last modified", "version", "latest"],
        rows: rows.map((r) => ({
          cells: [r.key, r.marker ? "(delete marker)" : r.size, r.modified?.toISOString(), r.versionId === "null" ? "" : r.versionId, r.latest ? "✓" : ""],
          open: r.marker ? undefined : { kind: "object", id: JSON.stringify({ bucket: name, key: r.key, versionId: r.versionId && r.versionId !== "null" ? r.versionId : undefined }) },
        })),
        note: versions.IsTruncated ? "Only the first 1000 versions are shown." : undefined,
      });
    }
    sections.push({ type: "kv", title: "Settings", rows: [["versioning", versioning?.Status ?? "never enabled"], ...(tags?.TagSet ?? []).map((t): [string, string] => [`tag ${t.Key}`, t.Value ?? ""])] });
    const { $metadata: _m, ...config } = notifications ?? {};
    sections.push({ type: "json", title: "Notification configuration", value: config });
    if (policy?.Policy) sections.push({ type: "json", title: "Bucket policy", value: JSON.parse(policy.Policy) });
    return { title: `s3://${name}`, sections };
  },
};

export const object: ResourceKind = {
  kind: "object",
  title: "Object",
  hidden: true,
  async detail({ s3, sdk }, id) {
    const { bucket, key, versionId } = objectId(id);
    const [head, tags, versions] = await Promise.all([
      s3.send(new sdk.s3.HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId })),
      maybe(() => s3.send(new sdk.s3.GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }))),
      maybe(() => s3.send(new sdk.s3.ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, MaxKeys: 100 }))),
    ]);
    const contentType = head.ContentType ?? "application/octet-stream";
    const sections: Section[] = [
      {
        type: "kv",
        title: "Object",
        rows: [
          ["bucket", bucket],
          ["key", key],
          ["size", head.ContentLength],
          ["content type", contentType],
          ["ETag", head.ETag],
          ["version", head.VersionId],
          ["last modified", head.LastModified?.toISOString()],
          ["storage class", head.StorageClass ?? "STANDARD"],
          ...Object.entries(head.Metadata ?? {}).map(([k, v]): [string, string] => [`x-amz-meta-${k}`, v]),
          ...(tags?.TagSet ?? []).map((t): [string, string] => [`tag ${t.Key}`, t.Value ?? ""]),
        ],
      },
    ];
    if ((head.ContentLength ?? 0) <= PREVIEW_BYTES) sections.push({ type: "preview", title: "Preview", kind: "object", id, contentType, size: head.ContentLength ?? 0 });
    else sections.push({ type: "text", title: "Preview", text: `Not previewed: larger than ${PREVIEW_BYTES / 1024 / 1024} MiB.` });
    const mine = (versions?.Versions ?? []).filter((v) => v.Key === key);
    if (mine.length > 1 || (mine[0] && mine[0].VersionId !== "null")) {
      sections.push({
        type: "table",
        title: "Versions",
        columns: ["version", "size", "last modified", "latest"],
        rows: mine.map((v) => ({ cells: [v.VersionId, v.Size, v.LastModified?.toISOString(), v.IsLatest ? "✓" : ""], open: { kind: "object", id: JSON.stringify({ bucket, key, versionId: v.VersionId }) } })),
      });
    }
    return { title: `s3://${bucket}/${key}`, sections };
  },
  async body({ s3, sdk }, id) {
    const { bucket, key, versionId } = objectId(id);
    const out = await s3.send(new sdk.s3.GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId, Range: `bytes=0-${PREVIEW_BYTES - 1}` }));
    return { bytes: Buffer.from(await out.Body!.transformToByteArray()), contentType: out.ContentType };
  },
};

export const tables: ResourceKind = {
  kind: "tables",
  title: "Tables",
  async list({ dynamodb, sdk }) {
    const out = await dynamodb.send(new sdk.dynamodb.ListTablesCommand({}));
    return { columns: ["table"], items: (out.TableNames ?? []).map((n) => ({ id: n, name: n, cells: [n] })) };
  },
  async detail({ dynamodb, sdk }, name) {
    const sections: Section[] = [];
    const described = await dynamodb.send(new sdk.dynamodb.DescribeTableCommand({ TableName: name }));
    const t = described.Table;
    sections.push({ type: "kv", title: "Table", rows: [["status", t?.TableStatus], ["items (approx.)", t?.ItemCount], ["keys", (t?.KeySchema ?? []).map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")], ["stream", t?.StreamSpecification?.StreamViewType ?? "off"]] });
    try {
      const scan = await dynamodb.send(new sdk.dynamodb.ScanCommand({ TableName: name, Limit: 50 }));
      sections.push({ type: "json", title: `Items (first ${scan.Items?.length ?? 0})`, value: (scan.Items ?? []).map((item) => unmarshall(item)) });
    } catch (err) {
      sections.push(failure("Items", err));
    }
    return { title: `table ${name}`, sections };
  },
};

/** DynamoDB's typed attribute values as plain JSON, for reading (no @aws-sdk/util-dynamodb needed). */
function unmarshall(item: Record<string, unknown>): Record<string, unknown> {
  const one = (v: unknown): unknown => {
    const [type, value] = Object.entries(v as Record<string, unknown>)[0] ?? [];
    switch (type) {
      case "S":
      case "BOOL":
        return value;
      case "N":
        return Number(value);
      case "NULL":
        return null;
      case "L":
        return (value as unknown[]).map(one);
      case "M":
        return unmarshall(value as Record<string, unknown>);
      case "SS":
      case "NS":
      case "BS":
        return value;
      case "B":
        return `(binary, ${(value as Uint8Array).length} bytes)`;
      default:
        return v;
    }
  };
  return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, one(v)]));
}
