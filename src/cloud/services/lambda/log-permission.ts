/**
 * Whether a function's logs reach CloudWatch Logs. On AWS the function's
 * execution role writes them: without logs:CreateLogStream and
 * logs:PutLogEvents (AWSLambdaBasicExecutionRole gives both) the function
 * runs but its log group stays empty — a classic first-lab surprise that the
 * local cloud reproduces when IAM is enforced, and explains once in its own
 * log (what is missing, and the policy that fixes it). The tail returned by
 * Invoke with LogType Tail does not depend on it, as on AWS.
 *
 * Decisions are cached for a second, so attaching the policy takes effect
 * on the next invocation without an evaluation per log line.
 */
import type { Cloud } from "../../core/cloud.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import { evaluateRoleSession } from "../../policy/role-session.js";
import type { FunctionSpec } from "./runtime/index.js";

const CACHE_MS = 1000;
const ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];

export class LogPermission {
  private readonly cache = new Map<string, { allowed: boolean; reason?: string; at: number }>();
  private readonly warned = new Set<string>();

  constructor(private readonly cloud: Cloud) {}

  /** May this function's role write to this stream of its log group? Always true when IAM is not enforced. */
  allows(spec: FunctionSpec, roleArn: string, logStreamName: string): boolean {
    if (this.cloud.config.iam !== "enforce") return true;
    const iam = this.cloud.use<IamInternalApi>("iam");
    if (!iam) return true;
    const key = `${spec.functionArn}|${roleArn}|${logStreamName}`;
    const now = Date.now();
    let entry = this.cache.get(key);
    if (!entry || now - entry.at > CACHE_MS) {
      entry = { ...this.decide(iam, spec, roleArn, logStreamName), at: now };
      this.cache.set(key, entry);
    }
    if (entry.allowed) {
      this.warned.delete(spec.functionArn);
    } else if (!this.warned.has(spec.functionArn)) {
      this.warned.add(spec.functionArn);
      this.cloud.log.warn(
        `lambda: the logs of ${spec.functionName} are not written to ${spec.logGroupName}, as on AWS: ${entry.reason} ` +
          `Attach arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole to the role (or allow logs:CreateLogStream and logs:PutLogEvents on the log group).`,
      );
    }
    return entry.allowed;
  }

  private decide(iam: IamInternalApi, spec: FunctionSpec, roleArn: string, logStreamName: string): { allowed: boolean; reason?: string } {
    const role = iam.getRole(spec.account, roleArn);
    if (!role) return { allowed: false, reason: `its execution role ${roleArn} does not exist.` };
    const resource = `arn:aws:logs:${spec.region}:${spec.account}:log-group:${spec.logGroupName}:log-stream:${logStreamName}`;
    for (const action of ACTIONS) {
      const decision = evaluateRoleSession(iam, { account: spec.account, roleName: role.roleName, sessionName: spec.functionName }, action, resource);
      if (decision.decision !== "Allow") return { allowed: false, reason: decision.explanation + "." };
    }
    return { allowed: true };
  }

  reset(): void {
    this.cache.clear();
    this.warned.clear();
  }
}
