/**
 * `npm run cloud`: the local cloud in the foreground, with a banner that says
 * where it listens, where its state lives, whether IAM is enforced, which
 * credentials it accepts (and the admin token of /_localcloud/*), and how to
 * point the SDK and the AWS CLI at it. Ctrl-C stops it cleanly (state is
 * already on disk; the journal is flushed on every change).
 */
import { Command, Option } from "commander";
import pc from "picocolors";
import { start, DEFAULT_TIME_SCALE, UnsafeSharingError } from "./index.js";
import { DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT } from "./core/constants.js";

const program = new Command()
  .name("npm run cloud --")
  .description("Run the S3 Event Labs local cloud: S3, SQS, SNS, Lambda, IAM, STS, DynamoDB, EventBridge and CloudWatch Logs on one port.")
  .option("-p, --port <port>", "port to listen on", process.env.LOCALCLOUD_PORT ?? process.env.PORT ?? String(DEFAULT_PORT))
  .option("--host <host>", "address to bind (use 0.0.0.0 to share with a classroom)", process.env.LOCALCLOUD_HOST ?? DEFAULT_HOST)
  .option("-d, --data-dir <dir>", "where state is kept between runs", process.env.LOCALCLOUD_DATA_DIR ?? DEFAULT_DATA_DIR)
  .option("--in-memory", "keep nothing on disk", process.env.LOCALCLOUD_IN_MEMORY === "1")
  .addOption(new Option("--iam <mode>", "enforce IAM policies for role credentials, or turn enforcement off").choices(["on", "off", "enforce"]).default(process.env.LOCALCLOUD_IAM ?? "on"))
  .option("--time-scale <factor>", "local time scale for AWS's long waits (async retries)", process.env.LOCALCLOUD_TIME_SCALE ?? String(DEFAULT_TIME_SCALE))
  .option("--lifecycle-day-seconds <seconds>", "how long one day of an S3 lifecycle rule lasts here", process.env.LOCALCLOUD_LIFECYCLE_DAY_SECONDS ?? "10")
  .option("--credentials <KEY:SECRET>", "the administrator's access key and secret (default test:test)", process.env.LOCALCLOUD_CREDENTIALS)
  .addOption(new Option("--auth <mode>", "verify every request's signature, or accept any key as the administrator (unsafe)").choices(["verify", "any"]).default(process.env.LOCALCLOUD_AUTH ?? "verify"))
  .option("--max-clock-skew <minutes>", "how far a request's signing time may be from this clock (AWS: 15; 'off' for laptops with bad clocks)", process.env.LOCALCLOUD_MAX_SKEW_MINUTES ?? "15")
  .addOption(new Option("--builtin-metrics <mode>", "publish the built-in AWS/Lambda, AWS/SQS and AWS/SNS CloudWatch metrics").choices(["on", "off"]).default(/^(off|0|false|no)$/i.test(process.env.LOCALCLOUD_BUILTIN_METRICS ?? "") ? "off" : "on"))
  .addOption(new Option("--log-level <level>", "how much to print").choices(["debug", "info", "warn", "error"]).default(process.env.LOCALCLOUD_LOG_LEVEL ?? "info"))
  .parse();

const opts = program.opts<{
  port: string;
  host: string;
  dataDir: string;
  inMemory: boolean;
  iam: string;
  timeScale: string;
  lifecycleDaySeconds: string;
  logLevel: "debug" | "info" | "warn" | "error";
  credentials?: string;
  auth: "verify" | "any";
  maxClockSkew: string;
  builtinMetrics: "on" | "off";
}>();
// Read by core/metrics.ts when the CloudWatch service starts.
if (opts.builtinMetrics === "off") process.env.LOCALCLOUD_BUILTIN_METRICS = "off";

const port = Number(opts.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number between 0 and 65535 (got "${opts.port}").`);
  process.exit(2);
}
const timeScale = Number(opts.timeScale);
if (!(timeScale > 0)) {
  console.error(`--time-scale must be a positive number such as 0.0167 (got "${opts.timeScale}").`);
  process.exit(2);
}
const lifecycleDaySeconds = Number(opts.lifecycleDaySeconds);
if (!(lifecycleDaySeconds > 0)) {
  console.error(`--lifecycle-day-seconds must be a positive number such as 10 (got "${opts.lifecycleDaySeconds}").`);
  process.exit(2);
}

const maxClockSkewMinutes = opts.maxClockSkew === "off" ? Infinity : Number(opts.maxClockSkew);
if (!(maxClockSkewMinutes > 0)) {
  console.error(`--max-clock-skew must be a number of minutes or "off" (got "${opts.maxClockSkew}").`);
  process.exit(2);
}

try {
  const running = await start({
    port,
    host: opts.host,
    dataDir: opts.dataDir,
    inMemory: opts.inMemory,
    iam: opts.iam === "off" ? "off" : "enforce",
    timeScale,
    lifecycleDaySeconds,
    logLevel: opts.logLevel,
    credentials: opts.credentials,
    auth: opts.auth,
    maxClockSkewMinutes,
    // The kit's background cloud is given its token (src/kit/local-cloud.ts), so the kit can print console links.
    adminToken: /^[A-Za-z0-9_-]{16,128}$/.test(process.env.LOCALCLOUD_ADMIN_TOKEN ?? "") ? process.env.LOCALCLOUD_ADMIN_TOKEN : undefined,
  });
  const { accessKeyId, secretAccessKey } = running.credentials;
  const verifying = running.cloud.identity.verifying;
  const e = running.endpoint;
  const lines = [
    pc.bold("S3 Event Labs — local cloud") + `  ${pc.green("ready")} on ${pc.cyan(e)}`,
    `  data      ${running.cloud.config.dataDir ?? "in memory (nothing kept)"}`,
    `  IAM       ${running.cloud.config.iam === "enforce" ? "enforced for role credentials (--iam off to relax)" : pc.yellow("off: every request is allowed")}`,
    `  services  ${running.cloud.services.map((s) => s.name).join(", ")}`,
    "",
    `  SDK v3    new S3Client({ endpoint: "${e}", region: "us-east-1", forcePathStyle: true })`,
    `            or: export AWS_ENDPOINT_URL=${e}`,
    `  AWS CLI   aws --endpoint-url ${e} s3 ls`,
    `            with: export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}`,
    verifying
      ? `  auth      every request's SigV4 signature is verified (these credentials, or a role session's)`
      : pc.yellow(`  auth      --auth any: signatures are NOT verified, any access key is the administrator`),
    `  admin     ${e}/_localcloud/health · POST ${e}/_localcloud/reset with header x-localcloud-token: ${running.adminToken}`,
    `  console   ${pc.cyan(`${e}/_localcloud/console/#token=${running.adminToken}`)}  (what happened to each upload, live)`,
    "",
    pc.dim("Ctrl-C to stop."),
  ];
  console.log(lines.join("\n"));
  const stop = async () => {
    console.log("\nstopping the local cloud…");
    await running.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof UnsafeSharingError) {
    const { accessKeyId, secretAccessKey } = err.suggested;
    console.error(
      [
        pc.red("Refusing to share the local cloud on the network with the well-known credentials test/test (or --auth any)."),
        "Anyone who can reach this machine could use it. Start it with credentials of your own, for example these freshly generated ones:",
        "",
        `  npm run cloud -- --host ${opts.host} --credentials ${accessKeyId}:${secretAccessKey}`,
        "",
        `and give your classroom: AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}`,
      ].join("\n"),
    );
    process.exit(2);
  }
  if (e.code === "EADDRINUSE") {
    console.error(`Port ${port} is already in use. Is a local cloud already running? Check with: curl http://127.0.0.1:${port}/_localcloud/health — or start this one with --port 0 to pick a free port.`);
  } else if (e.name === "DataDirLockedError") {
    console.error(e.message); // names the cloud that holds the data dir (core/data-dir-lock.ts)
  } else {
    console.error(`The local cloud could not start: ${e.stack ?? e}`);
  }
  process.exit(1);
}
