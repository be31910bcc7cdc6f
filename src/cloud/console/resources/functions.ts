/**
 * Lambda functions: configuration, resource policy (who may invoke it),
 * asynchronous invoke settings (retries, destinations, dead-letter queue),
 * event source mappings, and the newest lines of its CloudWatch Logs.
 */
import type { ResourceKind, Section } from "./types.js";
import { failure, maybe } from "./types.js";

export const functions: ResourceKind = {
  kind: "functions",
  title: "Functions",
  async list({ lambda, sdk }) {
    const out = await lambda.send(new sdk.lambda.ListFunctionsCommand({}));
    return {
      columns: ["function", "runtime", "handler", "timeout", "last modified"],
      items: (out.Functions ?? []).map((f) => ({ id: f.FunctionName!, name: f.FunctionName!, cells: [f.FunctionName, f.Runtime, f.Handler, f.Timeout, f.LastModified] })),
    };
  },
  async detail({ lambda, logs, sdk }, name) {
    const c = await lambda.send(new sdk.lambda.GetFunctionConfigurationCommand({ FunctionName: name }));
    const sections: Section[] = [
      {
        type: "kv",
        title: "Configuration",
        rows: [
          ["ARN", c.FunctionArn],
          ["state", c.State],
          ["runtime", c.Runtime],
          ["handler", c.Handler],
          ["role", c.Role],
          ["timeout (s)", c.Timeout],
          ["memory (MB)", c.MemorySize],
          ["code size", c.CodeSize],
          ["dead-letter target", c.DeadLetterConfig?.TargetArn],
          ...Object.entries(c.Environment?.Variables ?? {}).map(([k, v]): [string, string] => [`env ${k}`, v]),
        ],
      },
    ];
    const [policy, invokeConfig, mappings] = await Promise.all([
      maybe(() => lambda.send(new sdk.lambda.GetPolicyCommand({ FunctionName: name }))),
      maybe(() => lambda.send(new sdk.lambda.GetFunctionEventInvokeConfigCommand({ FunctionName: name }))),
      maybe(() => lambda.send(new sdk.lambda.ListEventSourceMappingsCommand({ FunctionName: name }))),
    ]);
    sections.push(policy?.Policy ? { type: "json", title: "Resource policy (who may invoke it)", value: JSON.parse(policy.Policy) } : { type: "text", title: "Resource policy (who may invoke it)", text: "None: no AWS service may invoke this function (add one with aws lambda add-permission)." });
    if (invokeConfig) {
      const { $metadata: _m, ...config } = invokeConfig;
      sections.push({ type: "json", title: "Asynchronous invocation", value: config });
    }
    if (mappings?.EventSourceMappings?.length) {
      sections.push({ type: "table", title: "Event source mappings", columns: ["source", "state", "batch size"], rows: mappings.EventSourceMappings.map((m) => ({ cells: [m.EventSourceArn, m.State, m.BatchSize] })) });
    }
    try {
      const out = await logs.send(new sdk.logs.FilterLogEventsCommand({ logGroupName: `/aws/lambda/${name}`, limit: 10_000 }));
      const lines = (out.events ?? []).slice(-200).map((e) => ({ timestamp: e.timestamp ?? 0, message: e.message ?? "" }));
      sections.push({ type: "logs", title: `Logs (/aws/lambda/${name}, newest ${lines.length})`, lines });
    } catch (err) {
      const missing = (err as Error).name === "ResourceNotFoundException";
      sections.push(missing ? { type: "text", title: "Logs", text: `No log group /aws/lambda/${name} yet: the function has not run, or its role may not write logs.` } : failure("Logs", err));
    }
    return { title: `function ${name}`, sections };
  },
};
