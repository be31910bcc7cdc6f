/**
 * Options every command shares (commander v14): which cloud, unattended mode,
 * participant name. Kept in one place so `npm run lab`, `grade`, `cleanup`,
 * `doctor` and `start` accept exactly the same flags.
 */
import { Command, Option } from "commander";
import type { CommonOptions } from "../session.js";

export function withCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("-t, --target <target>", "where to run: local (default), aws, or endpoint").choices(["local", "aws", "endpoint"]))
    .option("--endpoint-url <url>", "an AWS-compatible endpoint (implies --target endpoint; also read from AWS_ENDPOINT_URL)")
    .option("--region <region>", "AWS region (default: AWS_REGION, or us-east-1 locally)")
    .option("-y, --yes", "unattended: never ask (also implied when stdin is not a terminal, except creating on AWS)")
    .option("--participant <name>", "your short name, used in resource names so a class can share an account (default: LABS_PARTICIPANT or your login)");
}

export function commonOptions(opts: CommonOptions): CommonOptions {
  return { target: opts.target, endpointUrl: opts.endpointUrl, region: opts.region, yes: opts.yes, participant: opts.participant };
}

/** Print an error for a person (no stack unless DEBUG is set) and set the exit code. */
export function reportFatal(err: unknown): void {
  const e = err as Error & { reported?: boolean };
  if (!e?.reported) console.error(`\n${e?.message ?? String(err)}`);
  if (process.env.DEBUG && e?.stack) console.error(e.stack);
  process.exitCode = 2;
}
