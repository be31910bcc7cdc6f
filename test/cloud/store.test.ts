/**
 * core/store.ts on a real data dir: tables reload from snapshot + journal, a
 * torn journal tail is cut before the next append (so the next acknowledged
 * write survives), the old one-object snapshot still loads, compaction
 * triggers on journal bytes, and state larger than the loader's string limit
 * loads (the limit injected small, so the test writes megabytes, not 512 MiB).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Store, type StoreOptions } from "../../src/cloud/core/store.js";
import { readLines, StringTooLongError } from "../../src/cloud/core/line-reader.js";

const dirs: string[] = [];
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-store-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function open(dir: string, options: StoreOptions = {}) {
  const warnings: string[] = [];
  const store = new Store(dir, { warn: (m) => warnings.push(m), ...options });
  return { store, table: store.table<{ n: number; pad?: string }>("test.items"), warnings };
}
const journal = (dir: string) => path.join(dir, "state", "test.items.jsonl");
const snapshot = (dir: string) => path.join(dir, "state", "test.items.snapshot");

describe("tables on disk", () => {
  it("reload sets and deletes from the journal, and from a snapshot after compaction", () => {
    const dir = dataDir();
    const a = open(dir);
    a.table.set("one", { n: 1 });
    a.table.set("two", { n: 2 });
    a.table.delete("one");
    a.store.close();
    expect([...open(dir).table.entries()]).toEqual([["two", { n: 2 }]]);

    const b = open(dir);
    b.table.set("three", { n: 3 });
    b.table.compact();
    b.table.set("four", { n: 4 });
    b.store.close();
    expect(fs.readFileSync(snapshot(dir), "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([
      { k: "two", v: { n: 2 } },
      { k: "three", v: { n: 3 } },
    ]);
    expect(Object.fromEntries(open(dir).table.entries())).toEqual({ two: { n: 2 }, three: { n: 3 }, four: { n: 4 } });
  });

  it("cuts a torn journal tail on load, so the next acknowledged write is not glued onto it", () => {
    const dir = dataDir();
    const a = open(dir);
    a.table.set("before", { n: 1 });
    a.store.close();
    const intact = fs.statSync(journal(dir)).size;
    // A crash in the middle of an append: half a record, no newline.
    fs.appendFileSync(journal(dir), '{"k":"torn","v":{"n":');

    const b = open(dir);
    expect(b.warnings.join("\n")).toMatch(/torn journal tail/);
    expect(fs.statSync(journal(dir)).size).toBe(intact); // cut before anything else is written
    expect(b.table.get("torn")).toBeUndefined();
    b.table.set("after", { n: 2 }); // acknowledged
    b.store.close();

    const c = open(dir);
    expect(c.table.get("after")).toEqual({ n: 2 });
    expect(c.table.get("before")).toEqual({ n: 1 });
    expect(c.warnings).toEqual([]);
  });

  it("cuts a newline-terminated last line that does not parse, and skips a bad line in the middle", () => {
    const dir = dataDir();
    const a = open(dir);
    a.table.set("x", { n: 1 });
    a.store.close();
    fs.appendFileSync(journal(dir), 'garbage\n{"k":"y","v":{"n":2}}\n{"k":"z","v"\n');
    const b = open(dir);
    expect(b.table.get("y")).toEqual({ n: 2 });
    expect(b.table.get("z")).toBeUndefined();
    expect(fs.readFileSync(journal(dir), "utf8").endsWith('{"k":"y","v":{"n":2}}\n')).toBe(true);
  });

  it("loads the old one-object .json snapshot and replaces it with the new format at compaction", () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    fs.writeFileSync(path.join(dir, "state", "test.items.json"), JSON.stringify({ old: { n: 7 }, gone: { n: 8 } }));
    fs.writeFileSync(journal(dir), '{"k":"gone","d":1}\n');
    const a = open(dir);
    expect(Object.fromEntries(a.table.entries())).toEqual({ old: { n: 7 } });
    a.table.compact();
    a.store.close();
    expect(fs.existsSync(path.join(dir, "state", "test.items.json"))).toBe(false);
    expect(Object.fromEntries(open(dir).table.entries())).toEqual({ old: { n: 7 } });
  });

  it("compacts on journal bytes: a few large records rewritten many times keep the journal bounded", () => {
    const dir = dataDir();
    const limit = 256 * 1024;
    const a = open(dir, { compactJournalBytes: limit });
    const pad = "x".repeat(20_000);
    let largest = 0;
    for (let i = 0; i < 200; i++) {
      a.table.set(`k${i % 3}`, { n: i, pad }); // 200 lines for 3 records: the count trigger (1000 lines) never fires
      largest = Math.max(largest, fs.statSync(journal(dir)).size);
    }
    a.store.close();
    expect(largest).toBeLessThanOrEqual(limit + 25_000);
    expect(fs.existsSync(snapshot(dir))).toBe(true);
    expect(open(dir).table.get("k2")).toEqual({ n: 197, pad });
  });

  it("keeps the very write that triggers a compaction (count or size)", () => {
    const dir = dataDir();
    const a = open(dir);
    for (let i = 1; i <= 1001; i++) a.table.set("a", { n: i }); // the 1001st line passes the count trigger
    a.store.close();
    expect(fs.statSync(journal(dir)).size).toBe(0); // it did compact, on that last write
    expect(open(dir).table.get("a")).toEqual({ n: 1001 });

    const b = open(dataDir(), { compactJournalBytes: 1000 });
    b.table.set("x", { n: 1, pad: "z".repeat(2000) }); // past the size trigger at once
    b.store.close();
    expect(open(dirs[dirs.length - 1]!).table.get("x")?.n).toBe(1);
  });

  it("removes a compaction's leftover temp file at start", () => {
    const dir = dataDir();
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    fs.writeFileSync(path.join(dir, "state", "test.items.snapshot.abcd1234.tmp"), "half");
    open(dir).store.close();
    expect(fs.readdirSync(path.join(dir, "state")).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("warns, and still starts, when the state passes the configured size", () => {
    const dir = dataDir();
    const a = open(dir);
    a.table.set("big", { n: 1, pad: "y".repeat(10_000) });
    a.store.close();
    const b = open(dir, { warnStateBytes: 1000 });
    expect(b.table.get("big")?.n).toBe(1);
    expect(b.warnings.join("\n")).toMatch(/grown to .*LOCALCLOUD_STATE_WARN_BYTES/);
  });
});

describe("state larger than the string limit", () => {
  const limit = 64 * 1024; // stands in for V8's ~512 MiB

  it("the injected limit is real: the reader refuses to build a longer string", () => {
    const dir = dataDir();
    const file = path.join(dir, "long.jsonl");
    fs.writeFileSync(file, "a".repeat(limit + 1) + "\n");
    expect(() => [...readLines(file, { maxStringBytes: limit, chunkBytes: 4096 })]).toThrow(StringTooLongError);
  });

  it("a snapshot and a journal each many times the limit load in full", () => {
    const dir = dataDir();
    const a = open(dir, { maxStringBytes: limit, chunkBytes: 4096 });
    const pad = "p".repeat(900);
    for (let i = 0; i < 2000; i++) a.table.set(`s${i}`, { n: i, pad });
    a.table.compact();
    for (let i = 0; i < 900; i++) a.table.set(`j${i}`, { n: i, pad }); // stays in the journal (< 1000 lines)
    a.store.close();
    expect(fs.statSync(snapshot(dir)).size).toBeGreaterThan(limit * 25);
    expect(fs.statSync(journal(dir)).size).toBeGreaterThan(limit * 12);
    // A whole-file read would need one string far past the limit.
    expect(fs.readFileSync(snapshot(dir)).length).toBeGreaterThan(limit);

    const b = open(dir, { maxStringBytes: limit, chunkBytes: 4096 });
    expect(b.table.size).toBe(2900);
    expect(b.table.get("s1999")).toEqual({ n: 1999, pad });
    expect(b.table.get("j899")).toEqual({ n: 899, pad });
  });
});
