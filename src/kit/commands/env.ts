/**
 * `npm run env`: print the exports for the running local cloud (src/kit/env.ts).
 * Read-only: it never starts a cloud; with none running it says how to start
 * one and exits 1, printing nothing a shell would evaluate. The console's
 * link (with its token) is printed as a comment line.
 */
import { envVars, formatExports, type Shell } from "../env.js";
import { findRunningCloud } from "../local-cloud.js";
import { consoleBase, consoleLink } from "../console-link.js";

export async function envCommand(opts: { shell?: string; region?: string }): Promise<number> {
  const shell = (opts.shell ?? "sh") as Shell;
  if (!["sh", "fish", "powershell"].includes(shell)) {
    console.error(`--shell ${opts.shell}: use sh (bash, zsh), fish or powershell.`);
    return 2;
  }
  const running = await findRunningCloud();
  if (!running) {
    console.error("No local cloud is running. `npm start` (or any lab command) starts one in the background; `npm run cloud` runs one in this terminal on port 4566.");
    return 1;
  }
  const region = opts.region ?? process.env.AWS_REGION ?? "us-east-1";
  const text = formatExports(envVars(running.endpoint, region, running.credentials), shell);
  // A comment line: harmless to eval in every shell, and the console's link is one copy away.
  const link = consoleLink(consoleBase(running.endpoint, running.adminToken)) ?? `${running.endpoint}/_localcloud/console/ (its #token=… is in the banner of npm run cloud)`;
  process.stdout.write("# " + `S3 Event Labs local cloud at ${running.endpoint}\n# console: ${link}\n` + text);
  if (process.stdout.isTTY) console.error(shell === "sh" ? 'Apply with: eval "$(npm run -s env)"' : shell === "fish" ? "Apply with: npm run -s env -- --shell fish | source" : "Apply with: npm run -s env -- --shell powershell | Invoke-Expression");
  return 0;
}
