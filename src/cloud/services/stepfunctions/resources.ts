/**
 * The Task `Resource` values the local cloud runs (aws-behavior.md §10):
 * a Lambda function ARN (the legacy form: the effective input is the payload,
 * the raw result is the output; history LambdaFunction* events) and the
 * request-response optimized integrations `arn:aws:states:::lambda:invoke`,
 * `sns:publish`, `sqs:sendMessage` and `dynamodb:putItem|getItem|updateItem|deleteItem`
 * (history Task* events). Anything else is refused when the state machine is
 * created, saying what is not supported.
 */
export type TaskKind =
  | { kind: "lambda-function"; functionArn: string }
  | { kind: "integration"; service: "lambda" | "sns" | "sqs" | "dynamodb"; action: string };

export type ParsedResource = ({ ok: true } & TaskKind) | { ok: false; reason: string };

const FUNCTION_ARN = /^arn:aws:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):function:([a-zA-Z0-9-_]+)(?::(\$LATEST|[a-zA-Z0-9-_]+))?$/;
const INTEGRATION = /^arn:aws:states:(?:[a-z0-9-]*):(?:\d{12})?:([a-zA-Z0-9-]+):([a-zA-Z0-9]+)(\.sync(?::2)?|\.waitForTaskToken)?$/;
const SUPPORTED: Record<string, string[]> = {
  lambda: ["invoke"],
  sns: ["publish"],
  sqs: ["sendMessage"],
  dynamodb: ["putItem", "getItem", "updateItem", "deleteItem"],
};

export function parseResource(resource: unknown): ParsedResource {
  if (typeof resource !== "string") return { ok: false, reason: "Resource must be a string" };
  if (FUNCTION_ARN.test(resource)) return { ok: true, kind: "lambda-function", functionArn: resource };
  const m = INTEGRATION.exec(resource);
  const notRecognized = `The resource provided ${resource} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.`;
  if (!m) return { ok: false, reason: notRecognized };
  const [, service, action, pattern] = m;
  if (service === "aws-sdk") return { ok: false, reason: `${notRecognized} (The local cloud runs no AWS SDK integrations; it runs lambda:invoke, sns:publish, sqs:sendMessage and dynamodb:putItem/getItem/updateItem/deleteItem.)` };
  if (pattern) return { ok: false, reason: `The local cloud runs request-response integrations only; ${pattern} (run a job / wait for a callback) is not supported` };
  if (!SUPPORTED[service!]?.includes(action!)) {
    return { ok: false, reason: `${notRecognized} (The local cloud runs lambda:invoke, sns:publish, sqs:sendMessage and dynamodb:putItem/getItem/updateItem/deleteItem.)` };
  }
  return { ok: true, kind: "integration", service: service as "lambda", action: action! };
}
