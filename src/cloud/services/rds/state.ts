/**
 * RDS records in the cloud's store (they survive a restart): DB clusters and
 * DB instances, keyed `account:region:identifier` (identifiers are stored in
 * lower case, as RDS stores them). Transitions that take time on AWS
 * (creating, deleting) run as tasks kept here in memory, so Describe* can
 * wait for them (see index.ts, By design); a record left in a transient
 * state by a stop or a crash has its task run again at start-up.
 */
import { randomFrom } from "../../core/ids.js";
import type { Cloud } from "../../core/cloud.js";
import type { Table } from "../../core/store.js";

export type Tag = { Key: string; Value: string };

export interface ClusterRecord {
  account: string;
  region: string;
  identifier: string;
  arn: string;
  resourceId: string;
  engine: string;
  engineVersion: string;
  masterUsername: string;
  /** What the database accepts for the master user (the managed secret's value, or MasterUserPassword). */
  masterPassword: string;
  masterSecretArn?: string;
  databaseName?: string;
  port: number;
  minCapacity?: number;
  maxCapacity?: number;
  secondsUntilAutoPause?: number;
  httpEndpointEnabled: boolean;
  deletionProtection: boolean;
  status: string;
  created: number;
  tags: Tag[];
  copyTagsToSnapshot: boolean;
  storageEncrypted: boolean;
  backupRetentionPeriod: number;
}

export interface InstanceRecord {
  account: string;
  region: string;
  identifier: string;
  arn: string;
  resourceId: string;
  clusterIdentifier: string;
  instanceClass: string;
  engine: string;
  engineVersion: string;
  status: string;
  created: number;
  tags: Tag[];
  promotionTier: number;
  publiclyAccessible: boolean;
}

export const recordKey = (account: string, region: string, identifier: string) => `${account}:${region}:${identifier}`;
/** The store key of a record. */
export const keyOf = (r: { account: string; region: string; identifier: string }) => recordKey(r.account, r.region, r.identifier);

/** RDS resource ids: "cluster-" / "db-" and 26 upper-case letters and digits. */
export function resourceId(prefix: "cluster-" | "db-"): string {
  return prefix + randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 26);
}

export class RdsState {
  readonly clusters: Table<ClusterRecord>;
  readonly instances: Table<InstanceRecord>;
  /** Running transitions by ARN: Describe* waits for them. */
  readonly pending = new Map<string, Promise<void>>();
  /** Set by close(): no new transition starts; one the stop interrupts is resumed at the next start. */
  private closing = false;

  constructor(private readonly cloud: Cloud) {
    this.clusters = cloud.store.table<ClusterRecord>("rds.clusters");
    this.instances = cloud.store.table<InstanceRecord>("rds.instances");
  }

  clusterByArn(arn: string): ClusterRecord | undefined {
    const parts = arn.split(":");
    if (parts.length !== 7 || parts[2] !== "rds" || parts[5] !== "cluster") return undefined;
    return this.clusters.get(recordKey(parts[4]!, parts[3]!, parts[6]!.toLowerCase()));
  }

  instancesOf(cluster: ClusterRecord): InstanceRecord[] {
    return this.instances
      .withPrefix(`${cluster.account}:${cluster.region}:`)
      .map(([, i]) => i)
      .filter((i) => i.clusterIdentifier === cluster.identifier);
  }

  /** Run a transition; Describe* of the resource waits for it. */
  track(arn: string, task: () => Promise<void>): void {
    if (this.closing) return;
    const guarded = () => (this.closing ? Promise.resolve() : task());
    const run = (this.pending.get(arn) ?? Promise.resolve())
      .then(guarded, guarded)
      // A transition that fails (e.g. the store closed under it) must not become an unhandled rejection.
      .catch((err: unknown) => this.cloud.log.warn(`rds: a transition of ${arn} did not finish: ${(err as Error)?.message ?? err}`))
      .finally(() => {
        if (this.pending.get(arn) === run) this.pending.delete(arn);
      });
    this.pending.set(arn, run);
  }

  /** On close: start nothing new and let running transitions finish (at most `ms`) before the store closes. */
  async drain(ms: number): Promise<void> {
    this.closing = true;
    await this.settle([...this.pending.keys()], ms);
  }

  /** Wait (at most `ms`) for the transitions of these resources to finish. */
  async settle(arns: string[], ms: number): Promise<void> {
    const waits = arns.map((a) => this.pending.get(a)).filter((p): p is Promise<void> => !!p);
    if (!waits.length) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(waits), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}
