/**
 * Lab 03 — the grader's checks about ordering (not a learner file), beside
 * grade.ts, which passes in the helpers they share:
 * - a re-upload of an already processed image (a newer sequencer from S3
 *   itself) must update the item and be announced again — the README's rule
 *   "write only when there is no item yet or the stored sequencer is older";
 *   a dedupe on attribute_not_exists(id) alone fails here;
 * - sequencers compare as hex strings padded to one length: an event whose
 *   sequencer is one more in its last digit (72 bits, past 2^53, so a Number
 *   cannot tell them apart) is newer, and a sequencer with a "0" appended
 *   (another length, the same position) is a duplicate. Numeric
 *   and unpadded string comparisons fail here.
 * Each uses a key of its own under uploads/order/.
 */
import { CheckFailed, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { describeFailure, waitForEvidence } from "../../src/kit/grader/evidence.js";
import { TimeoutError } from "../../src/kit/wait.js";
import { makeImage } from "./images.js";
import { itemsFor, scanItems, type AnnouncementReader, type Item } from "./support.js";

export interface OrderDeps<S> {
  fn(st: S): string;
  table(st: S): string;
  reader(st: S): AnnouncementReader;
  patience(ctx: GradeContext, st: S): number;
  put(ctx: GradeContext, st: S, key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** Invoke the function with one ObjectCreated:Put record for `key` as it is now, with this sequencer. */
  redeliver(ctx: GradeContext, st: S, key: string, sequencer: string): Promise<{ functionError?: string; payload: string }>;
  countQualifying(st: S): void;
}

export const REUPLOAD = "a re-upload of a processed image updates its item and is announced again";
export const SEQUENCERS = "sequencers compare as padded hex strings (beyond 2^53, different lengths)";

/**
 * Sequencers the grader sends (hex, BigInt: exact at any length). BASE is newer than any sequencer S3
 * issues today (those start "00"), has 18 digits like S3's — 72 bits, past a Number's 53 — and ends in
 * a non-zero digit, so BASE + "0" is the same position written one digit longer.
 */
export const BASE_SEQUENCER = "7FFFFFFFFFFFFFFFF1";
export const SAME_LONGER = `${BASE_SEQUENCER}0`;
export const NEXT_SEQUENCER = (BigInt(`0x${BASE_SEQUENCER}`) + 1n).toString(16).toUpperCase();

export function orderChecks<S>(deps: OrderDeps<S>, needs: string[]): Array<Check<S>> {
  const item = async (ctx: GradeContext, st: S, key: string): Promise<Item | undefined> => itemsFor(await scanItems(ctx, deps.table(st)), key)[0];
  // Per grade (the lab module, and so this closure, is shared by every grade in a process).
  const reuploadFailed = new WeakSet<object>();
  return [
    {
      name: REUPLOAD,
      needs,
      async run(ctx, st) {
        const key = "uploads/order/re-uploaded.jpg";
        const wait = async (what: string, since: number, ok: (i: Item) => boolean) =>
          waitForEvidence(ctx, {
            functionName: deps.fn(st), since, timeoutMs: deps.patience(ctx, st), what, invocations: 1, verbose: ctx.verbose,
            result: async () => {
              const i = await item(ctx, st, key);
              return i && ok(i) ? i : undefined;
            },
            failed: (f) => `the function failed on ${what}: ${describeFailure(f, ctx.verbose)}`,
          });
        try {
          let since = Date.now();
          await deps.put(ctx, st, key, await makeImage({ key, why: "first upload", format: "jpeg", width: 320, height: 240, group: "shapes" }), "image/jpeg");
          deps.countQualifying(st);
          const first = await wait("the first upload", since, () => true);
          const second = await makeImage({ key, why: "second upload", format: "jpeg", width: 480, height: 200, group: "shapes" });
          since = Date.now();
          await deps.put(ctx, st, key, second, "image/jpeg");
          deps.countQualifying(st);
          const updated = await wait("the re-upload", since, (i) => i.sequencer !== first.sequencer || i.width === 480).catch((err) => {
            if (err instanceof CheckFailed && /finished/.test(err.message)) throw new CheckFailed(`after ${key} was uploaded again (newer sequencer), its item still describes the first upload (${first.width}×${first.height}, sequencer ${first.sequencer}) — the write must happen when the stored sequencer is older`);
            throw err;
          });
          if (updated.width !== 480 || updated.size !== second.length) throw new CheckFailed(`the item for ${key} changed but does not describe the re-upload: width ${updated.width} (expected 480), size ${updated.size} (expected ${second.length})`);
          const reader = deps.reader(st);
          await reader.untilOrSettled(() => reader.about(key).length >= 2, { functionName: deps.fn(st), since, invocations: 1, timeoutMs: deps.patience(ctx, st) });
          const n = reader.about(key).length;
          if (n < 2) throw new CheckFailed(`${n} SNS message(s) about ${key} after two uploads: a write that happened is announced — the re-upload too`);
          return "item updated (newer sequencer), announced twice";
        } catch (err) {
          reuploadFailed.add(st as object);
          if (err instanceof TimeoutError) throw new CheckFailed(`${err.message}: the function did not process ${key}`);
          throw err;
        }
      },
    },
    {
      name: SEQUENCERS,
      needs,
      async run(ctx, st) {
        const same = reuploadFailed.has(st as object) ? ` — probably the same cause as "${REUPLOAD}"` : "";
        const key = "uploads/order/sequencers.jpg";
        const since = Date.now();
        await deps.put(ctx, st, key, await makeImage({ key, why: "sequencer round", format: "jpeg", width: 300, height: 300, group: "shapes" }), "image/jpeg");
        deps.countQualifying(st);
        const before = await waitForEvidence(ctx, { functionName: deps.fn(st), since, timeoutMs: deps.patience(ctx, st), what: `the item for ${key}`, invocations: 1, verbose: ctx.verbose, result: () => item(ctx, st, key) }).catch((err) => {
          if (err instanceof TimeoutError || err instanceof CheckFailed) throw new CheckFailed(`no item for ${key}: ${err.message}`);
          throw err;
        });
        if (typeof before.sequencer !== "string" || !/^[0-9A-Fa-f]+$/.test(before.sequencer)) throw new CheckFailed(`the item for ${key} has sequencer ${JSON.stringify(before.sequencer)}: store the event's s3.object.sequencer (hex text)`);
        const reader = deps.reader(st);
        await reader.untilOrSettled(() => reader.about(key).length >= 1, { functionName: deps.fn(st), since, invocations: 1, timeoutMs: deps.patience(ctx, st) });
        const deliver = async (sequencer: string, what: string): Promise<Item | undefined> => {
          const out = await deps.redeliver(ctx, st, key, sequencer);
          if (out.functionError) throw new CheckFailed(`the function failed on ${what} (sequencer ${sequencer}): ${out.payload.slice(0, 160)}${same}`);
          return item(ctx, st, key);
        };
        // Newer than S3's own sequencer by any comparison: the item must follow.
        const base = await deliver(BASE_SEQUENCER, "an event newer than the upload");
        if (base?.processedAt === before.processedAt) throw new CheckFailed(`an event with sequencer ${BASE_SEQUENCER} (newer than S3's ${before.sequencer}) did not update the item${same}`);
        // The same position written one digit longer: a duplicate.
        const dup = await deliver(SAME_LONGER, "a duplicate written one digit longer");
        if (dup?.processedAt !== base?.processedAt) throw new CheckFailed(`sequencer ${SAME_LONGER} is ${BASE_SEQUENCER} written one digit longer — the same position — but it overwrote the item: pad both sequencers to one length before comparing${same}`);
        // One more in the last digit: newer, though as Numbers both are the same (72 bits > 2^53).
        const next = await deliver(NEXT_SEQUENCER, "a newer event");
        if (next?.processedAt === dup?.processedAt) throw new CheckFailed(`sequencer ${NEXT_SEQUENCER} is newer than ${BASE_SEQUENCER} (one more in the last hex digit) but the item was not updated — as Numbers they are equal (past 2^53): compare the padded strings${same}`);
        // The upload's invocation and the three direct ones (Invoke returns when each is done).
        await reader.untilOrSettled(() => reader.about(key).length >= 3, { functionName: deps.fn(st), since, invocations: 4, timeoutMs: deps.patience(ctx, st) });
        await reader.receiveOnce(1);
        if (reader.about(key).length !== 3) throw new CheckFailed(`${reader.about(key).length} SNS messages about ${key}: expected 3 (the upload and the two newer events, not the duplicate)${same}`);
        return `${SAME_LONGER} = duplicate of ${BASE_SEQUENCER}, ${NEXT_SEQUENCER} = newer (72 bits, beyond 2^53)`;
      },
    },
  ];
}
