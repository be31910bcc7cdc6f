/**
 * Lab 06 — the grader. Provisions the bucket, the state table, the two topics
 * (each watched by a queue), the workflow's task function and the learner's
 * import function (consumer.ts, bundled) in a fresh namespace; then judges the
 * learner's pieces in the order they depend on each other — patterns (saved
 * as rules and run through TestEventPattern), the roles and resource policies
 * (evaluated against request tables), the state machine (CreateStateMachine),
 * the targets — and drives traffic: uploads and deletes of many kinds, each of
 * which must land at exactly the right targets (executions per branch from
 * GetExecutionHistory, import totals and invocations, SNS messages through a
 * queue, the grader's own observer queue on each rule), a busy and a broken
 * image through the workflow, and a replay from the archive.
 */
import { GetPolicyCommand, type AddPermissionCommandInput } from "@aws-sdk/client-lambda";
import { GetTopicAttributesCommand } from "@aws-sdk/client-sns";
import type { NotificationConfiguration } from "@aws-sdk/client-s3";
import type { Target } from "@aws-sdk/client-eventbridge";
import { CheckFailed, defineGrader, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { policyProblems } from "../../src/kit/grader/policy-table.js";
import { putNotifications } from "../../src/kit/resources/s3.js";
import { addPermission } from "../../src/kit/resources/lambda.js";
import { createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { putTargets } from "../../src/kit/resources/events.js";
import { createStateMachine } from "../../src/kit/resources/stepfunctions.js";
import { setTopicPolicy } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy } from "../../src/kit/resources/sqs.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage } from "../../src/kit/wait.js";
import { archivePatternCases, csvPatternCases, deletionPatternCases, imagePatternCases, patternProblems } from "./grade-patterns.js";
import { csvPermissionTable, deletionTopicTable, eventsRoleTable, serviceTrustTable, workflowRoleTable } from "./policy-requests.js";
import { archive, deployImporter, plannedArns, provisionAround, QueueReader, rule as makeRule, rulesToQueuePolicy } from "./support.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { RunBook } from "./workflow-runs.js";
import { MIN_IMAGE_BYTES } from "./test-data.js";
import { trafficChecks } from "./grade-traffic.js";
import { workflowChecks } from "./grade-workflow.js";
import * as N from "./grade-state.js";
import { asObject, type State } from "./grade-state.js";

const input = (st: State) => ({ bucketName: st.bucket.name, minImageBytes: MIN_IMAGE_BYTES });
const ruleArnFor = (ctx: GradeContext, purpose: string) => `arn:aws:events:${ctx.target.region}:${ctx.target.account}:rule/${ctx.names.resource(purpose)}`;

/** A pattern check: the learner's pattern saved as a rule (EventBridge validates it), then judged by TestEventPattern. */
function patternCheck(name: string, fn: "imagePattern" | "csvPattern" | "deletionPattern", purpose: "images" | "csv" | "deletions", cases: (bucket: string) => ReturnType<typeof imagePatternCases>): Check<State> {
  return {
    name,
    async run(ctx, st) {
      const pattern = asObject(await ctx.callLearner(fn, () => st.patterns[fn](input(st))));
      if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) throw new CheckFailed(`${fn}() returned ${JSON.stringify(pattern)?.slice(0, 120)}: an event pattern is a JSON object whose leaves are arrays`);
      let rule: { name: string; arn: string };
      try {
        rule = await makeRule(ctx, purpose, pattern, `S3 Event Labs lab 06: ${purpose}`);
      } catch (err) {
        throw new CheckFailed(`EventBridge refused the pattern: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      const problems = await patternProblems(ctx, `${fn}()`, pattern, cases(st.bucket.name));
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      st.rules[purpose] = rule;
      return `rule ${rule.name}: ${cases(st.bucket.name).length} sample events decided right (TestEventPattern)`;
    },
  };
}

/** A target check: the learner's targets for one rule, plus the grader's observer queue (it sees exactly what the rule matched, replays included). */
function targetCheck(name: string, purpose: "images" | "csv" | "deletions", needs: string[], learnerTargets: (ctx: GradeContext, st: State) => Promise<Target[]>): Check<State> {
  const fn = purpose === "images" ? "imageTargets" : purpose === "csv" ? "csvTargets" : "deletionTargets";
  return {
    name,
    needs,
    async run(ctx, st) {
      await ready(ctx, st);
      const targets = await learnerTargets(ctx, st);
      const rule = st.rules[purpose]!;
      try {
        await putTargets(ctx, rule.name, [...targets, { Id: "grader-observer", Arn: st.observers[purpose].queue.arn }]);
      } catch (err) {
        throw new CheckFailed(`EventBridge refused the targets of ${rule.name}: ${errorCode(err) ?? "Error"}: ${errorMessage(err)}`);
      }
      return `${rule.name} → ${targets.map((t) => t.Arn).join(", ")}`;
    },
  };
}

/** Provision what the learner does not write, once, when the first check needs it (a starter's early failures do not wait for it). */
export function ready(ctx: GradeContext, st: State): Promise<void> {
  st.ready ??= (async () => {
    const pipeline = await provisionAround(ctx, st.bucket);
    const importer = await deployImporter(ctx, pipeline, st.importerPkg);
    const [images, csv, deletions] = await Promise.all(["seen-images", "seen-csv", "seen-deletions"].map((p) => createQueue(ctx, ctx.names.resource(p))));
    for (const q of [images!, csv!, deletions!]) await setQueuePolicy(ctx, q, rulesToQueuePolicy(ctx, q.arn));
    Object.assign(st, pipeline, {
      importer,
      observers: { images: new QueueReader(ctx, images!), csv: new QueueReader(ctx, csv!), deletions: new QueueReader(ctx, deletions!) },
      deletionsInbox: new QueueReader(ctx, pipeline.deletions.queue),
      failuresInbox: new QueueReader(ctx, pipeline.failures.queue),
    });
  })();
  return st.ready;
}

async function makeRole(ctx: GradeContext, purpose: string, trust: unknown, policy: unknown, description: string): Promise<string> {
  try {
    const role = await createRole(ctx, ctx.names.resource(purpose), trust, description);
    await putRolePolicy(ctx, role.name, "lab06", policy);
    return role.arn;
  } catch (err) {
    throw new CheckFailed(`IAM refused the role: ${errorCode(err)}: ${errorMessage(err)}`);
  }
}

function findTarget(targets: unknown, arn: string, fn: string): Target {
  if (!Array.isArray(targets)) throw new CheckFailed(`${fn}() returned ${JSON.stringify(targets)?.slice(0, 100)}: PutTargets takes an array of targets`);
  const mine = (targets as Target[]).filter((t) => t?.Arn === arn);
  if (mine.length !== 1) throw new CheckFailed(`${fn}() has ${mine.length} targets with Arn ${arn}; expected one`);
  return mine[0]!;
}

const configChecks: Array<Check<State>> = [
  {
    name: N.NOTIFY,
    async run(ctx, st) {
      const config = (await ctx.callLearner("notificationConfiguration", () => st.patterns.notificationConfiguration())) as NotificationConfiguration;
      if (!config?.EventBridgeConfiguration) throw new CheckFailed(`the configuration has no EventBridgeConfiguration: without it S3 sends nothing to EventBridge (got ${JSON.stringify(config)?.slice(0, 120)})`);
      const others = (config.QueueConfigurations?.length ?? 0) + (config.TopicConfigurations?.length ?? 0) + (config.LambdaFunctionConfigurations?.length ?? 0);
      if (others) throw new CheckFailed(`the configuration also has ${others} queue/topic/function configuration(s): in this lab EventBridge does all the routing`);
      try {
        await putNotifications(ctx, st.bucket.name, config);
      } catch (err) {
        throw new CheckFailed(`S3 refused the configuration: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      return "EventBridgeConfiguration saved: every event of the bucket goes to the default bus";
    },
  },
  {
    name: N.ARCHIVE,
    async run(ctx, st) {
      const pattern = asObject(await ctx.callLearner("archivePattern", () => st.replay.archivePattern({ bucketName: st.bucket.name })));
      const problems = await patternProblems(ctx, "archivePattern()", pattern, archivePatternCases(st.bucket.name));
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      try {
        st.archive = await archive(ctx, pattern, "S3 Event Labs lab 06: this bucket's events");
      } catch (err) {
        throw new CheckFailed(`EventBridge refused the archive: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      return `${st.archive!.name} on the default bus`;
    },
  },
  patternCheck(N.IMAGE_PATTERN, "imagePattern", "images", imagePatternCases),
  patternCheck(N.CSV_PATTERN, "csvPattern", "csv", csvPatternCases),
  patternCheck(N.DELETION_PATTERN, "deletionPattern", "deletions", deletionPatternCases),
  {
    name: N.EVENTS_ROLE,
    async run(ctx, st) {
      const roleArn = `arn:aws:iam::${ctx.target.account}:role/${ctx.names.resource("events-role")}`;
      const stateMachineArn = `arn:aws:states:${ctx.target.region}:${ctx.target.account}:stateMachine:${ctx.names.resource("thumbnails")}`;
      const trust = await ctx.callLearner("eventsTrustPolicy", () => st.permissions.eventsTrustPolicy());
      const t = policyProblems(trust, serviceTrustTable({ roleArn, account: ctx.target.account, service: "events.amazonaws.com", sourceArn: ruleArnFor(ctx, "images"), why: "EventBridge starts the workflow as this role" }));
      if (t.length) throw new CheckFailed(t.join("\n    "));
      const policy = await ctx.callLearner("eventsRolePolicy", () => st.permissions.eventsRolePolicy({ stateMachineArn }));
      const p = policyProblems(policy, eventsRoleTable({ stateMachineArn, account: ctx.target.account, region: ctx.target.region }));
      if (p.length) throw new CheckFailed(p.join("\n    "));
      st.eventsRoleArn = await makeRole(ctx, "events-role", trust, policy, "S3 Event Labs lab 06: EventBridge starts the workflow");
      return st.eventsRoleArn;
    },
  },
  {
    name: N.WORKFLOW_ROLE,
    async run(ctx, st) {
      const roleArn = `arn:aws:iam::${ctx.target.account}:role/${ctx.names.resource("workflow-role")}`;
      const stateMachineArn = `arn:aws:states:${ctx.target.region}:${ctx.target.account}:stateMachine:${ctx.names.resource("thumbnails")}`;
      const trust = await ctx.callLearner("workflowTrustPolicy", () => st.permissions.workflowTrustPolicy());
      const t = policyProblems(trust, serviceTrustTable({ roleArn, account: ctx.target.account, service: "states.amazonaws.com", sourceArn: stateMachineArn, why: "Step Functions runs the workflow's tasks as this role" }));
      if (t.length) throw new CheckFailed(t.join("\n    "));
      const arns = plannedArns(ctx);
      const policy = await ctx.callLearner("workflowRolePolicy", () => st.permissions.workflowRolePolicy({ thumbnailFunctionArn: arns.thumbnailFunctionArn, failureTopicArn: arns.failureTopicArn }));
      const p = policyProblems(policy, workflowRoleTable({ functionArn: arns.thumbnailFunctionArn, failureTopicArn: arns.failureTopicArn, deletionTopicArn: arns.deletionTopicArn, bucketName: st.bucket.name, account: ctx.target.account, region: ctx.target.region }));
      if (p.length) throw new CheckFailed(p.join("\n    "));
      st.workflowRoleArn = await makeRole(ctx, "workflow-role", trust, policy, "S3 Event Labs lab 06: the workflow's tasks");
      return st.workflowRoleArn;
    },
  },
  {
    name: N.DEFINITION,
    needs: [N.WORKFLOW_ROLE],
    async run(ctx, st) {
      const arns = plannedArns(ctx);
      const definition = asObject(await ctx.callLearner("workflowDefinition", () => st.workflow.workflowDefinition({ thumbnailFunctionArn: arns.thumbnailFunctionArn, failureTopicArn: arns.failureTopicArn })));
      const states = (definition as { States?: Record<string, { Type?: string }> } | undefined)?.States;
      if (!states || typeof states !== "object") throw new CheckFailed("the definition has no States: an ASL document is { StartAt, States: { … } }");
      const missing = ["PngThumbnail", "JpegThumbnail", "NotifyFailure"].filter((s) => states[s]?.Type !== "Task");
      if (missing.length) throw new CheckFailed(`no Task state named ${missing.join(", ")}: the README names the states so the grader can tell the branches apart in the history`);
      if (!Object.values(states).some((s) => s?.Type === "Choice")) throw new CheckFailed("no Choice state: the workflow picks its branch by the file type");
      try {
        st.stateMachine = await createStateMachine(ctx, { name: ctx.names.resource("thumbnails"), definition, roleArn: st.workflowRoleArn! });
      } catch (err) {
        throw new CheckFailed(`Step Functions refused the definition: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      st.runs = new RunBook(ctx, st.stateMachine.arn);
      return st.stateMachine.arn;
    },
  },
  {
    name: N.CSV_PERMISSION,
    needs: [N.CSV_PATTERN],
    async run(ctx, st) {
      await ready(ctx, st);
      const given = (await ctx.callLearner("csvInvokePermission", () => st.permissions.csvInvokePermission({ functionName: st.importer.name, ruleArn: st.rules.csv!.arn }))) as AddPermissionCommandInput;
      try {
        await addPermission(ctx, { ...given, FunctionName: st.importer.name, StatementId: given?.StatementId ?? "allow-csv-rule" });
      } catch (err) {
        throw new CheckFailed(`Lambda refused the permission: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      const policy = (await ctx.clients.lambda.send(new GetPolicyCommand({ FunctionName: st.importer.name }))).Policy!;
      const problems = policyProblems(policy, csvPermissionTable({ functionArn: st.importer.arn, ruleArn: st.rules.csv!.arn, account: ctx.target.account }));
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return "the saved resource policy allows exactly the CSV rule (evaluated against the request table)";
    },
  },
  {
    name: N.TOPIC_POLICY,
    needs: [N.DELETION_PATTERN],
    async run(ctx, st) {
      await ready(ctx, st);
      const doc = await ctx.callLearner("deletionTopicPolicy", () => st.permissions.deletionTopicPolicy({ topicArn: st.deletions.topic.arn, ruleArn: st.rules.deletions!.arn }));
      try {
        await setTopicPolicy(ctx, st.deletions.topic.arn, doc);
      } catch (err) {
        throw new CheckFailed(`SNS refused the policy: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      const saved = (await ctx.clients.sns.send(new GetTopicAttributesCommand({ TopicArn: st.deletions.topic.arn }))).Attributes?.Policy;
      const problems = policyProblems(saved, deletionTopicTable({ topicArn: st.deletions.topic.arn, ruleArn: st.rules.deletions!.arn, account: ctx.target.account }));
      if (problems.length) throw new CheckFailed(problems.join("\n    "));
      return "the saved topic policy allows exactly the deletion rule to publish";
    },
  },
  targetCheck(N.IMAGE_TARGET, "images", [N.IMAGE_PATTERN, N.EVENTS_ROLE, N.DEFINITION], async (ctx, st) => {
    const images = (await ctx.callLearner("imageTargets", () => st.targets.imageTargets({ stateMachineArn: st.stateMachine!.arn, roleArn: st.eventsRoleArn! }))) as Target[];
    const workflow = findTarget(images, st.stateMachine!.arn, "imageTargets");
    if (!workflow.RoleArn) throw new CheckFailed("the workflow target has no RoleArn: EventBridge starts a Step Functions execution only as a role that may states:StartExecution (a Lambda, SNS or SQS target uses a resource policy instead)");
    if (workflow.RoleArn !== st.eventsRoleArn) throw new CheckFailed(`the workflow target's RoleArn is ${workflow.RoleArn}; use the role made from eventsTrustPolicy()/eventsRolePolicy(): ${st.eventsRoleArn}`);
    return images;
  }),
  targetCheck(N.CSV_TARGET, "csv", [N.CSV_PATTERN, N.CSV_PERMISSION], async (ctx, st) => {
    const csv = (await ctx.callLearner("csvTargets", () => st.targets.csvTargets({ functionArn: st.importer.arn }))) as Target[];
    findTarget(csv, st.importer.arn, "csvTargets");
    return csv;
  }),
  targetCheck(N.DELETION_TARGET, "deletions", [N.DELETION_PATTERN, N.TOPIC_POLICY], async (ctx, st) => {
    const deletions = (await ctx.callLearner("deletionTargets", () => st.targets.deletionTargets({ topicArn: st.deletions.topic.arn }))) as Target[];
    const topic = findTarget(deletions, st.deletions.topic.arn, "deletionTargets");
    if (!topic.InputTransformer) throw new CheckFailed("the topic target has no InputTransformer: the topic would receive the whole event as JSON, not a readable sentence");
    return deletions;
  }),
];

export default defineGrader<State>({
  async setup(ctx) {
    const patterns = await ctx.importCode<State["patterns"]>("patterns.ts");
    const targets = await ctx.importCode<State["targets"]>("targets.ts");
    const workflow = await ctx.importCode<State["workflow"]>("workflow.ts");
    const permissions = await ctx.importCode<State["permissions"]>("permissions.ts");
    const replay = await ctx.importCode<State["replay"]>("replay.ts");
    let importerPkg: PackagedFunction;
    try {
      importerPkg = await packageHandler({ entry: `${ctx.sourceDir}/consumer.ts` });
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix consumer.ts so it compiles (npm run typecheck).");
    }
    // The rest is provisioned by ready() when the first check needs it.
    const bucket = await createBucket(ctx, ctx.names.resource("inbox"));
    return { bucket, patterns, targets, workflow, permissions, replay, importerPkg, rules: {}, slow: false } as unknown as State;
  },
  // Workflow checks before the CSV round: the replay's window (from the CSV round on) then holds deletions but no images.
  checks: [...configChecks, ...trafficChecks.slice(0, 2), ...workflowChecks.slice(0, 2), ...trafficChecks.slice(2), ...workflowChecks.slice(2)],
});
