/**
 * The shell exports that point any AWS tool (the AWS CLI, SDK scripts,
 * Terraform…) at the running local cloud: endpoint, credentials, region —
 * `eval "$(npm run -s env)"` in bash/zsh, `npm run -s env -- --shell fish | source`,
 * `npm run -s env -- --shell powershell | Invoke-Expression`. Host prefix
 * injection is turned off too (AWS_DISABLE_HOST_PREFIX_INJECTION), as a
 * custom endpoint needs.
 *
 * Credentials: the running cloud's admin credentials as local-cloud.ts finds
 * them (recorded in .s3-event-labs/cloud.json by the kit that started it, else
 * LOCALCLOUD_CREDENTIALS, else test/test, the local cloud's default). AWS_SESSION_TOKEN is unset so a token
 * left from a real AWS session is not sent along.
 */
import pc from "picocolors";
import type { LocalCredentials } from "./local-cloud.js";
import type { Target } from "./target.js";

export type Shell = "sh" | "fish" | "powershell";

export function envVars(endpoint: string, region: string, credentials: LocalCredentials): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    // Some operations send to "<prefix>-<host>" (StartSyncExecution: sync-127.0.0.1, which does not resolve);
    // the CLI and the SDKs that read this setting then keep the endpoint's host as it is.
    AWS_DISABLE_HOST_PREFIX_INJECTION: "true",
  };
}

const quote: Record<Shell, (v: string) => string> = {
  sh: (v) => `'${v.replace(/'/g, `'\\''`)}'`,
  fish: (v) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`,
  powershell: (v) => `'${v.replace(/'/g, "''")}'`,
};

/** The lines a shell evaluates. */
export function formatExports(vars: Record<string, string>, shell: Shell): string {
  const q = quote[shell];
  const lines = Object.entries(vars).map(([k, v]) => (shell === "sh" ? `export ${k}=${q(v)}` : shell === "fish" ? `set -gx ${k} ${q(v)}` : `$env:${k} = ${q(v)}`));
  lines.push(shell === "sh" ? "unset AWS_SESSION_TOKEN" : shell === "fish" ? "set -e AWS_SESSION_TOKEN" : "Remove-Item Env:AWS_SESSION_TOKEN -ErrorAction SilentlyContinue");
  return lines.join("\n") + "\n";
}

/** The closing line of a guided run: how to look at what it left with any AWS tool. */
export function envHintLine(target: Target): string {
  if (target.kind === "aws") return `Look at it with the AWS CLI as usual (${pc.cyan(`aws s3 ls --region ${target.region}`)}).`;
  if (target.kind === "endpoint") return `Look at it with the AWS CLI: ${pc.cyan(`aws --endpoint-url ${target.endpoint} s3 ls`)}.`;
  return `Look at it with the AWS CLI: ${pc.cyan('eval "$(npm run -s env)"')} then ${pc.cyan("aws s3 ls")} ${pc.dim("(fish: npm run -s env -- --shell fish | source; PowerShell: npm run -s env -- --shell powershell | Invoke-Expression)")}.`;
}
