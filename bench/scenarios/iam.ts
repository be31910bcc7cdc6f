/**
 * What IAM enforcement costs: the same 1 KiB PutObject, sequentially, signed
 * by the administrator (not evaluated) and by an AssumeRole session whose
 * role allows s3:PutObject on the bucket (evaluated on every request).
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_ACCOUNT } from "../../src/cloud/core/constants.js";
import { clientConfig, median, percentile, type Row } from "../lib.js";

async function putLatencies(s3: S3Client, bucket: string, n: number): Promise<number[]> {
  const body = Buffer.alloc(1024, 1);
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `k${i}`, Body: body }));
    lat.push(performance.now() - t);
  }
  return lat;
}

export async function iamScenario(endpoint: string): Promise<Row[]> {
  const cfg = clientConfig(endpoint);
  const admin = new S3Client(cfg);
  const iam = new IAMClient(cfg);
  const sts = new STSClient(cfg);
  const bucket = `bench-iam-${Date.now()}`;
  const roleName = bucket;
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  await iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${DEFAULT_ACCOUNT}:root` }, Action: "sts:AssumeRole" }] }),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: "put",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/*` }] }),
    }),
  );
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEFAULT_ACCOUNT}:role/${roleName}`, RoleSessionName: "bench" }));
  const asRole = new S3Client({
    ...cfg,
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
  });
  try {
    await putLatencies(admin, bucket, 50); // warm-up
    await putLatencies(asRole, bucket, 50);
    const a = await putLatencies(admin, bucket, 300);
    const r = await putLatencies(asRole, bucket, 300);
    return [
      { figure: "PutObject as administrator p50 (not evaluated)", value: median(a), unit: "ms" },
      { figure: "PutObject as a role session p50 (evaluated)", value: median(r), unit: "ms", note: `p95 ${percentile(r, 95).toFixed(2)} ms` },
      { figure: "enforcement overhead per request (p50 difference)", value: median(r) - median(a), unit: "ms" },
    ];
  } finally {
    for (const c of [admin, asRole, iam, sts]) c.destroy();
  }
}
