/**
 * Who is calling. The access key in a request's SigV4 credential decides it,
 * and the gateway (gateway/auth/) checks the signature with the secret kept
 * here:
 * - a key minted here for a role session (STS AssumeRole, or the credentials a
 *   Lambda function gets for its execution role) identifies that role session,
 *   whose secret and session token were minted with it;
 * - the administrator's configured key (default `test`/`test`, `--credentials`)
 *   is the account's administrator (aws-behavior.md §8);
 * - any other key is unknown (InvalidAccessKeyId…) — except with `--auth any`,
 *   where, as before, any key is the administrator and no secret is known.
 * Role sessions are stored so they survive a restart (a running function's
 * credentials keep working) and expire like AWS's.
 */
import type { Store, Table } from "./store.js";
import { DEFAULT_ACCOUNT } from "./constants.js";
import { iamUniqueId, secretKey, hex } from "./ids.js";

export interface Principal {
  kind: "admin" | "assumed-role" | "anonymous";
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
  /** "admin": temporary credentials of the administrator (STS GetSessionToken); absent for role sessions. */
  kind?: "admin";
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

/** How requests are authenticated (gateway/auth/). */
export interface AuthConfig {
  /** "verify": every signature is checked (default); "any": any key is the administrator, unverified. */
  mode: "verify" | "any";
  /** The administrator's credentials (default test/test). */
  accessKeyId: string;
  secretAccessKey: string;
  /** Allowed difference between a request's signing time and the cloud's clock (AWS: 15 minutes). */
  maxSkewMs: number;
}

export const DEFAULT_AUTH: AuthConfig = { mode: "verify", accessKeyId: "test", secretAccessKey: "test", maxSkewMs: 15 * 60_000 };

/** What the registry knows about an access key. */
export type KeyLookup =
  | { status: "admin" | "session"; principal: Principal; secretAccessKey?: string; sessionToken?: string }
  | { status: "expired" | "unknown" };

export class IdentityRegistry {
  private readonly sessions: Table<RoleSession>;
  readonly auth: AuthConfig;

  constructor(store: Store, auth: AuthConfig = DEFAULT_AUTH) {
    this.sessions = store.table<RoleSession>("identity.sessions");
    this.auth = auth;
  }

  /** True when signatures are verified (not `--auth any`). */
  get verifying(): boolean {
    return this.auth.mode === "verify";
  }

  /** The principal behind a key, with the secret (and token) its signatures must use. */
  lookup(accessKeyId: string): KeyLookup {
    const session = this.sessions.get(accessKeyId);
    if (session) {
      if (Date.parse(session.expiration) < Date.now()) return { status: "expired" };
      return { status: "session", principal: this.resolve(accessKeyId)!, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken };
    }
    if (this.auth.mode === "any") return { status: "admin", principal: this.resolve(accessKeyId)! };
    if (accessKeyId === this.auth.accessKeyId) return { status: "admin", principal: this.resolve(accessKeyId)!, secretAccessKey: this.auth.secretAccessKey };
    return { status: "unknown" };
  }

  /** The caller of an unsigned request, whose access only resource policies can grant. */
  anonymous(): Principal {
    return { kind: "anonymous", account: DEFAULT_ACCOUNT, arn: "*", accessKeyId: "anonymous", principalId: "anonymous" };
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

  /** Temporary credentials that act as the administrator (STS GetSessionToken), verified like a role session's. */
  mintAdminSession(account: string, durationSeconds: number): RoleSession {
    const session: RoleSession = {
      kind: "admin",
      accessKeyId: iamUniqueId("ASIA"),
      secretAccessKey: secretKey(),
      sessionToken: "FwoGZXIvYXdzE" + Buffer.from(hex(64)).toString("base64"),
      expiration: new Date(Date.now() + durationSeconds * 1000).toISOString(),
      account,
      roleArn: "",
      roleName: "",
      roleId: "",
      sessionName: "",
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
    if (session.kind === "admin") {
      return { kind: "admin", account: session.account, arn: `arn:aws:iam::${session.account}:root`, accessKeyId: session.accessKeyId, principalId: session.account };
    }
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
   * The secret (and, for role sessions, the session token) of a key, for the
   * places in S3 that check signatures themselves (presigned URLs, POST
   * policies, chunk signatures). Undefined for a key whose secret is not known:
   * unknown keys, and with `--auth any` the administrator's.
   */
  secretFor(accessKeyId: string): { secretAccessKey: string; sessionToken?: string } | undefined {
    const found = this.lookup(accessKeyId);
    if (found.status !== "admin" && found.status !== "session") return undefined;
    return found.secretAccessKey === undefined ? undefined : { secretAccessKey: found.secretAccessKey, sessionToken: found.sessionToken };
  }

  /** Forget every session of a role (DeleteRole). */
  revokeRole(roleArn: string): void {
    for (const [key, session] of [...this.sessions.entries()]) {
      if (session.roleArn === roleArn) this.sessions.delete(key);
    }
  }
}
