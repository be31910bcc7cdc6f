/**
 * Step Functions in the cloud as learners run it: the bundled launcher
 * (`node bin/localcloud.mjs`), where aws-local-stepfunctions stays outside the
 * bundle (so its own SDK imports cost nothing at start-up) and is imported on
 * the first execution. The in-process test clouds never take that path.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect, it } from "vitest";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateStateMachineCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { spawnCloud, stopCleanly } from "../helpers/cloud-process.js";
import { finished } from "../helpers/sfn.js";

it("runs an execution through the bundled launcher", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sfn-process-"));
  const proc = await spawnCloud(["--data-dir", dataDir, "--iam", "off", "--log-level", "warn"]).ready;
  const config = { endpoint: proc.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const iam = new IAMClient(config);
  const sfn = new SFNClient(config);
  try {
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    const roleArn = (await iam.send(new CreateRoleCommand({ RoleName: "sfn-process", AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!.Arn!;
    const definition = { StartAt: "Shape", States: { Shape: { Type: "Pass", Parameters: { "key.$": "$.key" }, End: true } } };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "bundled", roleArn, definition: JSON.stringify(definition) }));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify({ key: "a.csv", other: 1 }) }));
    const done = await finished(sfn, executionArn!);
    expect(done.status, proc.output()).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ key: "a.csv" });
  } finally {
    iam.destroy();
    sfn.destroy();
    await stopCleanly(proc);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
