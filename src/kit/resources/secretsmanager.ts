/**
 * Secrets Manager operations the labs share: a kit-created secret (tagged,
 * recorded in the ledger, deleted by cleanup without a recovery window so its
 * name can be used again), reading a JSON secret such as the
 * {username, password} of an RDS-managed master secret. Secrets the kit did
 * not create (RDS's own) are never recorded, so cleanup never deletes them.
 */
import { CreateSecretCommand, DeleteSecretCommand, GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type KitContext, recordResource } from "../context.js";
import { kitTagList } from "../names.js";

export async function createSecret(ctx: KitContext, name: string, value: string | Record<string, unknown>, description?: string): Promise<{ name: string; arn: string }> {
  const entry = recordResource(ctx, "secretsmanager-secret", name);
  const out = await ctx.clients.secretsManager.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: typeof value === "string" ? value : JSON.stringify(value),
      Description: description,
      Tags: kitTagList(ctx.lab, ctx.names.namespace),
    }),
  );
  ctx.ledger.setArn(entry.id, out.ARN!);
  return { name, arn: out.ARN! };
}

/** A secret's current SecretString parsed as JSON. */
export async function readSecretJson<T = Record<string, unknown>>(ctx: KitContext, secretId: string): Promise<T> {
  const out = await ctx.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: secretId }));
  try {
    return JSON.parse(out.SecretString ?? "") as T;
  } catch {
    throw new Error(`The secret ${secretId} does not hold JSON.`);
  }
}

/** Delete a kit-created secret at once (cleanup). */
export async function deleteSecretNow(sm: SecretsManagerClient, secretId: string): Promise<void> {
  await sm.send(new DeleteSecretCommand({ SecretId: secretId, ForceDeleteWithoutRecovery: true }));
}
