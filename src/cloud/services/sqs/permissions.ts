/**
 * AddPermission / RemovePermission: the shorthand SQS offers for editing a
 * queue's Policy attribute. AddPermission appends an Allow statement whose Sid
 * is the Label, for the named accounts' root principals and the `SQS:<Action>`
 * actions on this queue; RemovePermission drops the statement with that Sid.
 * The result is an ordinary Policy attribute, so GetQueueAttributes shows it
 * and the policy engine and S3/SNS senders read it.
 */
import type { RequestContext } from "../../core/context.js";
import type { SqsService } from "./service-context.js";
import { requireQueue, stringList } from "./service-context.js";
import { invalidParameterValue, missingParameter } from "./errors.js";

type Input = Record<string, unknown>;

const ACTIONS = new Set([
  "*",
  "SendMessage",
  "ReceiveMessage",
  "DeleteMessage",
  "ChangeMessageVisibility",
  "GetQueueAttributes",
  "GetQueueUrl",
  "ListDeadLetterSourceQueues",
  "PurgeQueue",
  "ListQueueTags",
]);

interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement?: Array<Record<string, unknown>>;
}

function currentPolicy(text: string | undefined): PolicyDocument {
  if (!text) return {};
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    return {};
  }
}

export function permissionHandlers(svc: SqsService) {
  return {
    AddPermission(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const label = input.Label;
      if (typeof label !== "string" || !label) throw missingParameter("Label");
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(label)) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Must be 1 to 80 alphanumeric characters, hyphens or underscores.`);
      const accounts = stringList(input.AWSAccountIds);
      const actions = stringList(input.Actions);
      if (!accounts.length) throw missingParameter("AWSAccountIds");
      if (!actions.length) throw missingParameter("Actions");
      for (const account of accounts) if (!/^\d{12}$/.test(account)) throw invalidParameterValue(`Value ${account} for parameter AWSAccountId is invalid. Reason: must be a 12-digit account id.`);
      for (const action of actions) if (!ACTIONS.has(action)) throw invalidParameterValue(`Value SQS:${action} for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.`);
      const policy = currentPolicy(queue.attributes.Policy);
      const statements = policy.Statement ?? [];
      if (statements.some((s) => s.Sid === label)) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: Already exists.`);
      const principals = accounts.map((a) => `arn:aws:iam::${a}:root`);
      const actionNames = actions.map((a) => `SQS:${a}`);
      statements.push({
        Sid: label,
        Effect: "Allow",
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: actionNames.length === 1 ? actionNames[0] : actionNames,
        Resource: queue.arn,
      });
      queue.attributes.Policy = JSON.stringify({ Version: policy.Version ?? "2012-10-17", Id: policy.Id ?? `${queue.arn}/SQSDefaultPolicy`, Statement: statements });
      queue.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
      svc.engine.saveQueue(queue);
      return {};
    },

    RemovePermission(ctx: RequestContext, input: Input) {
      const queue = requireQueue(svc, ctx, input);
      const label = input.Label;
      if (typeof label !== "string" || !label) throw missingParameter("Label");
      const policy = currentPolicy(queue.attributes.Policy);
      const statements = policy.Statement ?? [];
      const kept = statements.filter((s) => s.Sid !== label);
      if (kept.length === statements.length) throw invalidParameterValue(`Value ${label} for parameter Label is invalid. Reason: can't find label on existing policy.`);
      if (kept.length) queue.attributes.Policy = JSON.stringify({ ...policy, Statement: kept });
      else delete queue.attributes.Policy;
      queue.lastModifiedTimestamp = Math.floor(Date.now() / 1000);
      svc.engine.saveQueue(queue);
      return {};
    },
  };
}
