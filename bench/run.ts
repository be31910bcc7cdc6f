/**
 * `npm run bench [-- <scenario> …]`: the local cloud's figures, each beside
 * the same measurement against a do-nothing HTTP server in the same run
 * (this 2-core machine is noisy, so ratios are what to compare between runs).
 * Scenarios: startup, s3, events (S3 → SQS, SNS, EventBridge), lambda, iam,
 * auth (signature verification on vs --auth any), pipeline (lab 03: 100 image uploads end to end, and its grader),
 * grades (each lab's grade time: solution, untouched starter, a handler that throws),
 * fanout5 (lab 05: S3 → SNS → Lambda, raw SQS and filtered email for 300 uploads).
 * sfn (S3 → EventBridge → Step Functions, two Lambda tasks, 100 uploads).
 * console (start-up with the console, its trace stream under a 500-upload burst).
 * rds (Data API statement latency, Data-API cluster creation, engine memory and its release on auto-pause).
 * faults (lab 07: 500 orders under injected duplicates, reordering, errors and throttles, and its grader),
 * metrics (built-in CloudWatch metrics on the S3 → Lambda path, beside a cloud with them off).
 * queue-pipeline (lab 04: 200 CSV uploads → rows through SQS, Lambda and the Data API).
 * With no argument, all of them run.
 * Exit code is 0 even when a target is missed: this is a measurement, not a test.
 */
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { clientConfig, median, printRows, spawnBaseline, spawnCloud, type Row } from "./lib.js";
import { startupScenario } from "./scenarios/startup.js";
import { s3PutScenario } from "./scenarios/s3-put.js";
import { s3SqsScenario } from "./scenarios/s3-sqs.js";
import { s3EventBridgeSqsScenario, s3SnsSqsScenario } from "./scenarios/s3-fanout.js";
import { coldStartRows, lambdaScenario } from "./scenarios/lambda.js";
import { iamScenario } from "./scenarios/iam.js";
import { authScenario } from "./scenarios/auth.js";

// Node 20 is supported by the SDK versions locked here; its notice about future versions is noise in a report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const wanted = new Set(process.argv.slice(2));
const want = (name: string) => wanted.size === 0 || wanted.has(name);

console.log(`S3 Event Labs — local cloud benchmark (node ${process.version}, ${(await import("node:os")).cpus().length} cores)`);

async function baselineRoundTrip(endpoint: string): Promise<number> {
  const s3 = new S3Client({ ...clientConfig(endpoint), maxAttempts: 1 });
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: "b", Key: `k${i}`, Body: "x" }));
    lat.push(performance.now() - t);
  }
  s3.destroy();
  return median(lat);
}

async function section(title: string, run: () => Promise<Row[]>): Promise<void> {
  try {
    printRows(title, await run());
  } catch (err) {
    console.log(`\n${title}\n  could not be measured: ${(err as Error).message}`);
  }
}

if (want("startup")) await section("Start-up", () => startupScenario());

if (want("lambda")) await section("Lambda cold start (runtime only)", () => coldStartRows());

if (want("auth")) await section("SigV4 verification (two clouds: verifying and --auth any)", () => authScenario());

if (want("metrics")) await section("Built-in CloudWatch metrics on S3 → Lambda → SQS (two clouds: metrics on, LOCALCLOUD_BUILTIN_METRICS=off)", async () => (await import("./scenarios/metrics.js")).metricsScenario());

const needsServers = ["s3", "events", "lambda", "iam", "pipeline", "grades", "fanout5", "sfn", "rds", "faults", "queue-pipeline"].some(want);
if (needsServers) {
  const baseline = await spawnBaseline();
  const cloud = await spawnCloud();
  try {
    const roundTrip = await baselineRoundTrip(baseline.endpoint);
    if (want("s3")) await section("S3 PutObject", () => s3PutScenario(cloud.endpoint, baseline.endpoint));
    if (want("events")) await section("S3 → SQS notifications (do-nothing column: one PutObject round trip)", () => s3SqsScenario(cloud.endpoint, roundTrip));
    if (want("events")) await section("S3 → SNS → SQS (do-nothing column: one PutObject round trip)", () => s3SnsSqsScenario(cloud.endpoint, roundTrip));
    if (want("events")) await section("S3 → EventBridge → SQS (do-nothing column: one PutObject round trip)", () => s3EventBridgeSqsScenario(cloud.endpoint, roundTrip));
    if (want("lambda")) await section("Lambda through the API (do-nothing column: one PutObject round trip)", () => lambdaScenario(cloud.endpoint, roundTrip));
    if (want("iam")) await section("IAM enforcement (two clouds: enforcing and --iam off)", () => iamScenario());
    if (want("grades")) await section("Grade times (solution, untouched starter, a handler that throws on every record)", async () => (await import("./scenarios/grades.js")).gradesScenario(cloud.endpoint));
    if (want("fanout5")) await section("Lab 05 fan-out: S3 → SNS → catalog Lambda, raw SQS audit, filtered email (300 uploads; reference solution)", async () => (await import("./scenarios/fanout5.js")).fanout5Scenario(cloud.endpoint));
    if (want("sfn")) await section("S3 → EventBridge → Step Functions (two Lambda tasks, 100 uploads, IAM enforced)", async () => (await import("./scenarios/sfn.js")).sfnScenario(cloud.endpoint));
    if (want("rds")) await section("RDS Data API on PGlite (do-nothing column: one PutObject round trip)", async () => (await import("./scenarios/rds.js")).rdsScenario(cloud.endpoint, roundTrip, cloud.child.pid));
    if (want("faults")) await section("Lab 07 pipeline under injected faults (reference solution)", async () => (await import("./scenarios/faults-pipeline.js")).faultsPipelineScenario(cloud.endpoint));
    if (want("pipeline")) await section("Lab 03 image pipeline (reference solution, IAM enforced)", async () => (await import("./scenarios/image-pipeline.js")).imagePipelineScenario(cloud.endpoint)); // lazy: loads sharp and the kit
    if (want("queue-pipeline")) await section("Lab 04 queue pipeline: S3 → SQS → Lambda → Data API (reference solution)", async () => (await import("./scenarios/queue-pipeline.js")).queuePipelineScenario(cloud.endpoint));
  } finally {
    await cloud.stop();
    await baseline.stop();
  }
}

if (want("console")) await section("Console (start-up, trace stream under a 500-upload burst)", async () => (await import("./scenarios/console.js")).consoleScenario());
