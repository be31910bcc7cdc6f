/**
 * The kit points at the console (issue 19, item 4): a failing check on a
 * local cloud links to the console's trace of the object it uploaded last,
 * and that trace exists in the cloud (the console's API has the upload's
 * s3.event). A passing check gets no link.
 */
import { stripVTControlCharacters } from "node:util";
import { afterAll, expect, it } from "vitest";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { startTestCloud } from "../helpers/cloud.js";
import { runGrade } from "../../src/kit/grader/harness.js";
import { CheckFailed, defineGrader } from "../../src/kit/grader/types.js";
import { formatCheckLine } from "../../src/kit/grader/reporters.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { consoleBase, consoleLink } from "../../src/kit/console-link.js";
import { kitSession } from "./helpers.js";

const cloud = await startTestCloud({ iam: "off" });
const session = kitSession(cloud.endpoint);
afterAll(async () => {
  session.close();
  await cloud.close();
});

it("links a failing check to the trace of its last upload", async () => {
  const base = consoleBase(cloud.endpoint, cloud.adminToken)!;
  expect(base).toBe(`${cloud.endpoint}/_localcloud/console/#token=${cloud.adminToken}`);
  expect(consoleLink(base, { bucket: "b", key: "a b/ü.txt" })).toBe(`${base}&bucket=b&key=a+b%2F%C3%BC.txt`);
  const grader = defineGrader<{ bucket: string }>({
    async setup(ctx) {
      return { bucket: (await createBucket(ctx, ctx.names.resource("in"))).name };
    },
    checks: [
      { name: "uploads and passes", hint: "", run: async (ctx, st) => void (await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket, Key: "ok.txt", Body: "x" }))) },
      {
        name: "uploads and fails",
        hint: "look at the trace",
        run: async (ctx, st) => {
          await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket, Key: "first.txt", Body: "x" }));
          await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket, Key: "photos/cat 1.jpg", Body: "x" }));
          throw new CheckFailed("no thumbnail appeared");
        },
      },
    ],
  });
  const lab = { id: "96", slug: "console", title: "Console", summary: "", learnerFiles: [], creates: [], steps: [], grader };
  const target = { ...session.target, consoleUrl: base };
  const report = await runGrade({ lab, target, clients: session.clients, ledger: session.ledger, sourceDir: process.cwd(), source: "learner", participant: "tester" });
  const [passed, failed] = report.checks;
  expect(passed!.traceUrl).toBeUndefined();
  const bucket = new URLSearchParams(failed!.traceUrl!.split("#")[1]).get("bucket")!;
  expect(bucket).toContain("in");
  const params = new URLSearchParams(failed!.traceUrl!.split("#")[1]);
  expect(params.get("key")).toBe("photos/cat 1.jpg");
  // The check's time window, so the console shows this check's uploads, not the cleanup's deletes that follow.
  expect(Date.parse(params.get("from")!)).toBeLessThan(Date.parse(params.get("to")!));
  expect(failed!.traceUrl).toBe(consoleLink(base, { bucket, key: "photos/cat 1.jpg", from: params.get("from")!, to: params.get("to")! }));
  // Plain text: picocolors colours output whenever CI is set, as it is on CI machines.
  expect(stripVTControlCharacters(formatCheckLine(failed!))).toContain(`trace: ${failed!.traceUrl}`);
  // The link's trace is there: the console's API has that upload's event.
  const res = await fetch(`${cloud.endpoint}/_localcloud/console/api/traces`, { headers: { "x-localcloud-token": cloud.adminToken } });
  const { traces } = (await res.json()) as { traces: Array<{ kind: string; data?: { bucket?: string; key?: string } }> };
  expect(traces.some((t) => t.kind === "s3.event" && t.data?.bucket === bucket && t.data.key === "photos/cat 1.jpg")).toBe(true);
  // The watch is gone with the grade: later uploads are not noted.
  expect(session.clients.s3.middlewareStack.identify().some((m) => m.includes("s3EventLabsUploadWatch"))).toBe(false);
});
