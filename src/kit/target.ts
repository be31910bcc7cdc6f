/**
 * The cloud a command works against — `local` (default), `aws` or `endpoint`
 * (issue 6, item 1). A target is only an endpoint, a region, credentials and
 * an account id; labs never branch on anything else except where AWS really
 * differs (propagation delays, the confirmation before spending money).
 *
 * - local: reuse or start the local cloud (local-cloud.ts), signing with the
 *   administrator's credentials it was started with (default test/test).
 * - endpoint: `--endpoint-url` or AWS_ENDPOINT_URL — any AWS-compatible server;
 *   credentials from the environment if set, else throwaway ones.
 * - aws: the SDK's default credential chain and region; AWS_ENDPOINT_URL is
 *   ignored (it would silently redirect "real AWS" elsewhere).
 *
 * Shared-account mode: S3_EVENT_LABS_PERMISSIONS_BOUNDARY, when set, is the
 * ARN of the permissions boundary the instructor created for this participant
 * (class/participant-policy.ts); every role the kit creates then carries it
 * (resources/iam.ts), as the participant policy requires. Explicit on
 * purpose: the kit never guesses a boundary from names.
 */
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { DEFAULT_LOCAL_CREDENTIALS, ensureLocalCloud, type LocalCredentials } from "./local-cloud.js";
import { errorMessage } from "./wait.js";
import { consoleBase } from "./console-link.js";

export type TargetKind = "local" | "aws" | "endpoint";

export interface Target {
  kind: TargetKind;
  /** Ledger key: "local", "endpoint:<url>" or "aws:<account>:<region>". */
  id: string;
  region: string;
  /** Set for local and endpoint targets. */
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  account: string;
  /** Identity that will create things (an ARN), for the confirmation on AWS. */
  callerArn: string;
  /** Local target: true when this command started the background cloud. */
  startedCloud?: boolean;
  /** Local target whose admin token the kit knows: the console's link (src/kit/console-link.ts). */
  consoleUrl?: string;
  /** The permissions boundary every role the kit creates carries (S3_EVENT_LABS_PERMISSIONS_BOUNDARY). */
  permissionsBoundary?: string;
}

export interface TargetOptions {
  target?: string;
  endpointUrl?: string;
  region?: string;
  onStatus?: (text: string) => void;
}

export const LOCAL_ACCOUNT = "000000000000";
const THROWAWAY = DEFAULT_LOCAL_CREDENTIALS;

export function parseTargetKind(value: string | undefined): TargetKind {
  const kind = (value ?? process.env.LABS_TARGET ?? "local").toLowerCase();
  if (kind === "local" || kind === "aws" || kind === "endpoint") return kind;
  throw new Error(`Unknown target "${value}". Use --target local (the default), --target aws or --target endpoint --endpoint-url <url>.`);
}

async function callerIdentity(region: string, endpoint: string | undefined, credentials: Target["credentials"]): Promise<{ account: string; arn: string } | undefined> {
  const sts = new STSClient({ region, endpoint, credentials, maxAttempts: 2 });
  try {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    return { account: out.Account!, arn: out.Arn! };
  } finally {
    sts.destroy();
  }
}

/** S3_EVENT_LABS_PERMISSIONS_BOUNDARY, checked: a managed policy ARN or nothing. */
export function permissionsBoundaryFromEnv(env: NodeJS.ProcessEnv = process.env): { permissionsBoundary?: string } {
  const value = env.S3_EVENT_LABS_PERMISSIONS_BOUNDARY?.trim();
  if (!value) return {};
  if (!/^arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/.+$/.test(value)) {
    throw new Error(`S3_EVENT_LABS_PERMISSIONS_BOUNDARY="${value}" is not a policy ARN (expected arn:aws:iam::<account>:policy/s3-event-labs-boundary-<you>, as your instructor gave it).`);
  }
  return { permissionsBoundary: value };
}

export async function resolveTarget(options: TargetOptions = {}): Promise<Target> {
  return { ...(await resolveTargetKind(options)), ...permissionsBoundaryFromEnv() };
}

async function resolveTargetKind(options: TargetOptions): Promise<Target> {
  const kind = options.endpointUrl && !options.target ? "endpoint" : parseTargetKind(options.target);
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (kind === "aws" ? undefined : "us-east-1");

  if (kind === "local") {
    const { endpoint, started, credentials, adminToken } = await ensureLocalCloud(options.onStatus);
    const reg = region ?? "us-east-1";
    // STS answers on the local cloud; fall back to its documented default account if it does not (yet).
    const who = await callerIdentity(reg, endpoint, credentials).catch((err: { name?: string }) => {
      if (err?.name === "InvalidClientTokenId" || err?.name === "SignatureDoesNotMatch") {
        throw new Error(
          `The local cloud at ${endpoint} does not accept the credentials ${credentials.accessKeyId}:${credentials.secretAccessKey} (${err.name}). ` +
            "It was started with others: set LOCALCLOUD_CREDENTIALS=KEY:SECRET to the ones it printed at start.",
        );
      }
      return undefined;
    });
    return { kind, id: "local", region: reg, endpoint, credentials, account: who?.account ?? LOCAL_ACCOUNT, callerArn: who?.arn ?? `arn:aws:iam::${LOCAL_ACCOUNT}:root`, startedCloud: started, consoleUrl: consoleBase(endpoint, adminToken) };
  }

  if (kind === "endpoint") {
    const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL;
    if (!endpoint) throw new Error("--target endpoint needs a URL: pass --endpoint-url http://host:port or set AWS_ENDPOINT_URL.");
    try {
      new URL(endpoint);
    } catch {
      throw new Error(`--endpoint-url "${endpoint}" is not a URL (expected something like http://127.0.0.1:4566).`);
    }
    const reg = region ?? "us-east-1";
    const credentials = process.env.AWS_ACCESS_KEY_ID ? undefined : THROWAWAY;
    const who = await callerIdentity(reg, endpoint, credentials).catch(() => undefined);
    return { kind, id: `endpoint:${endpoint.replace(/\/$/, "")}`, region: reg, endpoint, credentials, account: who?.account ?? LOCAL_ACCOUNT, callerArn: who?.arn ?? "unknown (GetCallerIdentity failed)" };
  }

  // aws: the default chain; never an endpoint override.
  for (const name of Object.keys(process.env)) {
    if (name === "AWS_ENDPOINT_URL" || name.startsWith("AWS_ENDPOINT_URL_")) {
      options.onStatus?.(`ignoring ${name} for --target aws`);
      delete process.env[name];
    }
  }
  if (!region) throw new Error("--target aws needs a region: pass --region eu-west-1 or set AWS_REGION (or a region in your AWS profile via AWS_PROFILE + AWS_SDK_LOAD_CONFIG).");
  let who: { account: string; arn: string } | undefined;
  try {
    who = await callerIdentity(region, undefined, undefined);
  } catch (err) {
    throw new Error(`Could not find AWS credentials that work (${errorMessage(err)}). Configure them with \`aws configure\` or AWS_PROFILE / AWS_ACCESS_KEY_ID, then retry. \`npm run doctor -- --target aws\` checks this.`);
  }
  return { kind, id: `aws:${who!.account}:${region}`, region, account: who!.account, callerArn: who!.arn };
}

/**
 * A target for a local cloud at a known endpoint (tests start one in-process;
 * `id` keeps their ledger entries apart from the learner's "local" ones).
 */
export function localTargetAt(endpoint: string, region = "us-east-1", credentials: LocalCredentials = THROWAWAY): Target {
  return { kind: "local", id: `local:${endpoint}`, region, endpoint, credentials, account: LOCAL_ACCOUNT, callerArn: `arn:aws:iam::${LOCAL_ACCOUNT}:root` };
}

/** One line saying where we are working. */
export function describeTarget(t: Target): string {
  if (t.kind === "local") {
    const c = t.credentials as LocalCredentials | undefined;
    const creds = c && "accessKeyId" in c ? `, credentials ${c.accessKeyId}:${c.secretAccessKey}` : "";
    return `local cloud at ${t.endpoint} (account ${t.account}, ${t.region}${creds})`;
  }
  if (t.kind === "endpoint") return `endpoint ${t.endpoint} (account ${t.account}, ${t.region})`;
  return `AWS account ${t.account}, region ${t.region}, as ${t.callerArn}`;
}
