/**
 * Who is calling. The access key in a request's SigV4 credential decides it
 * (signatures themselves are not verified: see Gaps in docs/architecture.md):
 * - a key minted here for a role session (STS AssumeRole, or the credentials a
 *   Lambda function gets for its execution role) identifies that role session;
 * - any other key is the account's administrator (aws-behavior.md §8), so guided
 *   scripts work without set-up.
 * Role sessions are stored so they survive a restart (a running function's
 * credentials keep working) and expire like AWS's.
 */
import type { Store, Table } from "./store.js";
import { DEFAULT_ACCOUNT } from "./constants.js";
import { iamUniqueId, secretKey, hex } from "./ids.js";

export interface Principal {
  kind: "admin" | "assumed-role";
  account: string;
  /** arn:aws:iam::000000000000:root, or arn:aws:sts::<acct>:assumed-role/<role>/<session> */
  arn: string;
  accessKeyId: string;
  /** For role sessions: the role's ARN (arn:aws:iam::<acct>:role/<path><name>) and names. */
  roleArn?: string;
  roleName?: string;
  sessionName?: string;
  /** The principal id AWS shows in events (AROA…:session for roles, AIDA… for users). */
  principalId: string;
}

export interface RoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string; // ISO
  account: string;
  roleArn: string;
  roleName: string;
  roleId: string;
  sessionName: string;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export class IdentityRegistry {
  private readonly sessions: Table<RoleSession>;

  constructor(store: Store) {
    this.sessions = store.table<RoleSession>("identity.sessions");
  }

  /** Mint temporary credentials for a role session (STS AssumeRole, Lambda execution roles). */
  mintRoleSession(input: {
    account: string;
    roleArn: string;
    roleName: string;
    roleId: string;
    sessionName: string;
    durationSeconds?: number;
  }): RoleSession {
    const session: RoleSession = {
      accessKeyId: iamUniqueId("ASIA"),
      secretAccessKey: secretKey(),
      sessionToken: "IQoJb3JpZ2luX2VjE" + Buffer.from(hex(64)).toString("base64"),
      expiration: new Date(Date.now() + (input.durationSeconds ?? 3600) * 1000).toISOString(),
      account: input.account,
      roleArn: input.roleArn,
      roleName: input.roleName,
      roleId: input.roleId,
      sessionName: input.sessionName,
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  /** The principal behind an access key. Expired role sessions resolve to null (ExpiredToken). */
  resolve(accessKeyId: string | undefined): Principal | null {
    const session = accessKeyId ? this.sessions.get(accessKeyId) : undefined;
    if (!session) {
      return {
        kind: "admin",
        account: DEFAULT_ACCOUNT,
        arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:root`,
        accessKeyId: accessKeyId ?? "anonymous",
        principalId: DEFAULT_ACCOUNT,
      };
    }
    if (Date.parse(session.expiration) < Date.now()) return null;
    return {
      kind: "assumed-role",
      account: session.account,
      arn: `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`,
      accessKeyId: session.accessKeyId,
      roleArn: session.roleArn,
      roleName: session.roleName,
      sessionName: session.sessionName,
      principalId: `${session.roleId}:${session.sessionName}`,
    };
  }

  /**
   * The secret and session token of a key minted here, for the few places that
   * check signatures themselves (S3 presigned URLs and chunk signatures).
   * Undefined for any other key: its secret is unknowable locally.
   */
  secretFor(accessKeyId: string): { secretAccessKey: string; sessionToken: string } | undefined {
    const session = this.sessions.get(accessKeyId);
    return session ? { secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken } : undefined;
  }

  /** Forget every session of a role (DeleteRole). */
  revokeRole(roleArn: string): void {
    for (const [key, session] of [...this.sessions.entries()]) {
      if (session.roleArn === roleArn) this.sessions.delete(key);
    }
  }
}
