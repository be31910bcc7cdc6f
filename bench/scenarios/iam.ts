/**
 * What IAM enforcement costs (issue 5: under 10% on a 1 KiB PutObject).
 * The same requests — 1 KiB PutObjects signed by an AssumeRole session whose
 * role allows s3:PutObject on the bucket — go to two clouds started alike,
 * one enforcing and one with `--iam off`, in alternating batches so drift on
 * this noisy machine hits both sides equally. A second figure times the
 * evaluator alone, in this process, on the lab 03 role's policy: that is the
 * part of the difference that is ours rather than noise.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { DEFAULT_ACCOUNT } from "../../src/cloud/core/constants.js";
import { evaluatePolicies } from "../../src/cloud/policy/evaluate.js";
import { clientConfig, median, pairedPutObjectTimes, percentile, spawnCloud, type Row } from "../lib.js";

/** A bucket, and an S3 client signed by a role session allowed to put into it. */
async function roleSessionClient(endpoint: string, bucket: string): Promise<S3Client> {
  const cfg = clientConfig(endpoint);
  const iam = new IAMClient(cfg);
  const sts = new STSClient(cfg);
  const admin = new S3Client(cfg);
  try {
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: bucket,
        AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${DEFAULT_ACCOUNT}:root` }, Action: "sts:AssumeRole" }] }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: bucket,
        PolicyName: "put",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${bucket}/*` }] }),
      }),
    );
    const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${DEFAULT_ACCOUNT}:role/${bucket}`, RoleSessionName: "bench" }));
    return new S3Client({
      ...cfg,
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
  } finally {
    for (const c of [iam, sts, admin]) c.destroy();
  }
}

/** µs per decision for a lab-03-shaped role policy (five statements, the match in the fourth). */
function evaluatorCostMicros(): number {
  const document = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:*:*:*" },
      { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::photos/uploads/*" },
      { Effect: "Allow", Action: "dynamodb:PutItem", Resource: `arn:aws:dynamodb:us-east-1:${DEFAULT_ACCOUNT}:table/ImageMetadata` },
      { Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::photos/thumbnails/*" },
      { Effect: "Allow", Action: "sns:Publish", Resource: `arn:aws:sns:us-east-1:${DEFAULT_ACCOUNT}:image-processed` },
    ],
  });
  const request = {
    principal: { type: "AWS" as const, arn: `arn:aws:sts::${DEFAULT_ACCOUNT}:assumed-role/thumbnail-role/fn`, account: DEFAULT_ACCOUNT, roleArn: `arn:aws:iam::${DEFAULT_ACCOUNT}:role/thumbnail-role` },
    action: "s3:PutObject",
    resource: "arn:aws:s3:::photos/thumbnails/cat.jpg",
    context: { "aws:SecureTransport": "false", "s3:x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
  };
  const input = { identity: [{ name: "inline policy thumbnails of role thumbnail-role", document }] };
  const run = (n: number) => {
    for (let i = 0; i < n; i++) if (evaluatePolicies(request, input).decision !== "Allow") throw new Error("the bench policy should allow");
  };
  run(2000); // warm-up (JIT)
  const n = 20_000;
  const t = performance.now();
  run(n);
  return ((performance.now() - t) * 1000) / n;
}

export async function iamScenario(): Promise<Row[]> {
  const on = await spawnCloud();
  const off = await spawnCloud(["--iam", "off"]);
  const bucket = `bench-iam-${Date.now()}`;
  const clients: S3Client[] = [];
  try {
    const enforcing = await roleSessionClient(on.endpoint, bucket);
    const relaxed = await roleSessionClient(off.endpoint, bucket);
    clients.push(enforcing, relaxed);
    const { a: withIam, b: withoutIam } = await pairedPutObjectTimes(enforcing, relaxed, bucket);
    const pOn = median(withIam);
    const pOff = median(withoutIam);
    const overhead = (pOn - pOff) / pOff;
    return [
      { figure: `1 KiB PutObject by a role session p50, IAM enforced (${withIam.length})`, value: pOn, unit: "ms", note: `p95 ${percentile(withIam, 95).toFixed(2)} ms` },
      { figure: `1 KiB PutObject by a role session p50, --iam off (${withoutIam.length})`, value: pOff, unit: "ms", note: `p95 ${percentile(withoutIam, 95).toFixed(2)} ms` },
      { figure: "enforcement overhead (p50, on vs off)", value: overhead * 100, unit: "%", target: "< 10%", met: overhead < 0.1 },
      { figure: "policy evaluation alone (in process, 5-statement role policy)", value: evaluatorCostMicros(), unit: "µs" },
    ];
  } finally {
    for (const c of clients) c.destroy();
    await on.stop();
    await off.stop();
  }
}
