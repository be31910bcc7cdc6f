/**
 * Step Functions (awsJson 1.0, `X-Amz-Target: AWSStepFunctions.<Op>`, SigV4
 * service `states`; aws-behavior.md §10): STANDARD and EXPRESS state
 * machines, executions (StartExecution, StartSyncExecution for EXPRESS,
 * DescribeExecution, ListExecutions, StopExecution), GetExecutionHistory in
 * AWS's event types and fields, tags, the "Step Functions Execution Status
 * Change" events STANDARD executions send to the default bus, and the
 * "states" destination adapter through which EventBridge rules start executions.
 *
 * The Amazon States Language is executed by aws-local-stepfunctions 3.0.0
 * (MIT, TypeScript) through the thin adapter in executor.ts; Task states run
 * through tasks.ts: Lambda via Lambda's internal API, SNS / SQS / DynamoDB via
 * the cloud's own endpoint as the state machine's role (roles.ts,
 * service-calls.ts).
 *
 * ValidateStateMachineDefinition reports the same checks as diagnostics.
 *
 * Files: state.ts, errors.ts, definition.ts (InvalidDefinition checks),
 * resources.ts (which Task resources run), roles.ts, machines.ts,
 * executions.ts, executor.ts, tasks.ts, service-calls.ts, history.ts,
 * json-path.ts.
 *
 * **Gaps** (not implemented)
 * - JSONata (`QueryLanguage: "JSONata"`, Arguments/Output/Assign): the engine
 *   runs JSONPath only; such definitions are refused with InvalidDefinition
 *   saying so. Variables (`Assign`) likewise.
 * - Distributed Map (ItemReader, ResultWriter, ItemBatcher, Mode DISTRIBUTED),
 *   Map runs; Map's ToleratedFailure* fields are accepted and ignored.
 * - Integration patterns `.sync` and `.waitForTaskToken` (SendTaskSuccess…),
 *   activities, HeartbeatSeconds, AWS SDK integrations (`aws-sdk:*`), and
 *   optimized integrations other than lambda:invoke, sns:publish,
 *   sqs:sendMessage and dynamodb:putItem|getItem|updateItem|deleteItem — all
 *   refused at CreateStateMachine with a message naming what runs.
 * - Versions and aliases (publish, versionDescription ignored), redrive,
 *   TestState, logging to CloudWatch Logs,
 *   X-Ray; state machine tags are not checked by IAM conditions.
 * - Map's MaxConcurrency is honoured as the engine does (0 = 40 at a time).
 *
 * **By design**
 * - Wait states and Retry intervals (IntervalSeconds, MaxDelaySeconds) follow
 *   the cloud's time scale (1/60 by default: a 60 s wait takes 1 s);
 *   TimeoutSeconds of tasks and of the execution are real time (the work in
 *   tasks is real).
 * - An execution the cloud was running when it stopped does not resume: at
 *   the next start it is FAILED with error States.Runtime and a cause saying
 *   so (its history up to then is kept). A graceful stop aborts running ones.
 * - Inputs nested deeper than 500 levels are InvalidExecutionInput and
 *   definitions deeper than 200 levels InvalidDefinition (the engine and the
 *   checks walk them recursively); waits, retry delays and timeouts are capped
 *   at Node's longest timer (~24.8 days).
 * - EXPRESS executions are kept in memory only (the latest 1000), history
 *   included; DescribeExecution, ListExecutions and GetExecutionHistory answer
 *   for them (AWS keeps them in CloudWatch Logs only).
 * - IAM: the role must exist and trust states.amazonaws.com (AWS's
 *   AccessDeniedException at Create/Update), and each task call is judged
 *   against the role's policies; denied tasks fail as on AWS
 *   (Lambda.AWSLambdaException with "… is not authorized to perform:
 *   lambda:InvokeFunction …", SNS.AuthorizationErrorException…).
 *   SQS and DynamoDB denials are named SQS.AmazonSQSException and
 *   DynamoDB.AmazonDynamoDBException (UNCERTAIN).
 * - The local Lambda service runs at most a few execution environments
 *   (LOCALCLOUD_LAMBDA_MAX_ENVIRONMENTS, default 10) where AWS allows 1000 at
 *   once: a task finding them all busy waits (up to 2 minutes) instead of
 *   failing with Lambda.TooManyRequestsException, which only reserved
 *   concurrency causes, as on AWS.
 * - A function error fails the task with the payload's errorType as error and
 *   the whole error payload (JSON text) as cause, in LambdaFunctionFailed and
 *   ExecutionFailed alike, as AWS records it (test_raise_exception,
 *   test_raise_custom_exception). Time-outs and crashed runtimes fail it with
 *   Lambda.Unknown (UNCERTAIN: not compared with a recording).
 * - History: previousEventId is the id before (AWS links branch events to the
 *   branch's own previous event in Parallel and Map); Catch writes the
 *   state's <Type>StateExited with the error output, as AWS does: a caught
 *   Task is …Failed → TaskStateExited, a caught Parallel ParallelStateFailed →
 *   ParallelStateExited and a caught Map MapIterationFailed → MapStateFailed →
 *   MapStateExited, never …StateSucceeded, then the Catch's next state
 *   (LocalStack's AWS-recorded snapshots test_parallel_state_catch,
 *   test_map_state_catch, test_raise_exception_catch).
 * - A retried Parallel or Map writes …StateStarted again for each attempt
 *   (after the retry interval) and …StateFailed once, when the retries are
 *   spent, as AWS records it (test_parallel_state_retry,
 *   test_map_state_retry). MapStateStarted's length is the items after
 *   InputPath and ItemsPath.
 * - Differs: a failed attempt's …StateFailed waits for the engine's next word
 *   on it; inside a Parallel with several failing branches a sibling's
 *   failure can write it before a retry is known (then the retry is still
 *   recorded as …StateStarted). Nested Parallel/Map states inside a Map
 *   iteration are told apart by iteration index only one level deep.
 *
 * **Client quirks**
 * - Timestamps go out as epoch seconds (awsJson); the CLI prints them as ISO.
 * - StartSyncExecution (and TestState) carry the endpoint host prefix `sync-`:
 *   SDK v3 and the AWS CLI prepend it to a custom endpoint too
 *   (`http://sync-127.0.0.1:4566/`, which does not resolve). SDK clients need
 *   `disableHostPrefix: true` (the kit's client sets it); the AWS CLI needs
 *   `AWS_DISABLE_HOST_PREFIX_INJECTION=true` (or `disable_host_prefix_injection
 *   = true` in its config), which `npm run env` exports.
 */
import type { ServiceFactory } from "../../core/service.js";
import { jsonProtocol } from "../../protocols/json.js";
import { openState } from "./state.js";
import { MachineRoles } from "./roles.js";
import { Executor } from "./executor.js";
import { Executions } from "./executions.js";
import { machineHandlers } from "./machines.js";
import { HistoryWriter } from "./history.js";
import { closeServiceClients } from "./service-calls.js";
import { machineNotFound } from "./errors.js";
import type { TaggedResourcesApi } from "../../core/internal-apis.js";
import { taggedIn } from "../../core/tags.js";

const createStepFunctions: ServiceFactory = (cloud) => {
  const state = openState(cloud);
  cloud.provide<TaggedResourcesApi>("tags:states", {
    taggedResources: (account, region) => taggedIn(state.machines.values(), account, region, "states:stateMachine"),
  });
  const roles = new MachineRoles(cloud);
  const executor = new Executor(cloud, state, roles);
  const executions = new Executions(cloud, state, executor);
  executions.failInterrupted((record) => {
    new HistoryWriter(state, record.arn).add("ExecutionFailed", { error: record.error, cause: record.cause });
    cloud.log.warn(`stepfunctions: execution ${record.arn} was running when the cloud stopped; it is now FAILED`);
  });

  // EventBridge (and any other sender) starts executions through the "states" adapter; the sender checks its role first.
  cloud.destinations.register({
    kind: "states",
    exists: (arn) => state.machines.has(arn),
    resourcePolicy: () => undefined,
    async deliver(arn, message) {
      const machine = state.machines.get(arn);
      if (!machine) throw machineNotFound(arn);
      const { record } = executions.start(machine, { input: message.body, traceHeader: message.traceHeader, correlationId: message.correlationId });
      cloud.log.debug(`stepfunctions: ${message.source.arn ?? message.source.principal} started ${record.arn}`);
    },
  });

  return {
    name: "states",
    signingNames: ["states"],
    targetPrefixes: ["AWSStepFunctions"],
    handle: jsonProtocol({
      service: "states",
      version: "1.0",
      errorNamespace: "com.amazonaws.swf.service.v2.model",
      operations: {
        ...machineHandlers(state, roles, executor),
        ...executions.handlers(),
      },
    }),
    async reset() {
      await executor.stopAll();
      roles.reset();
      closeServiceClients();
      executions.clear();
      state.history.clear();
    },
    async close() {
      await executor.stopAll();
      closeServiceClients();
    },
  };
};
export default createStepFunctions;
