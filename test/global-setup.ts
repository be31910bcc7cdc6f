/**
 * Vitest global setup: every test run gets its own temporary directory
 * (TMPDIR/TEMP/TMP, inherited by the test workers, the clouds they start and
 * the Lambda processes those spawn), removed when the run ends — so the data
 * dirs of test clouds, Lambda scratch dirs, packaging outputs and whatever a
 * test forgets do not pile up in the machine's temp dir (~250 MB a run).
 * Set S3_EVENT_LABS_KEEP_TEST_TMP=1 to keep it for a post-mortem.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "s3-event-labs-test-"));
  const before = { TMPDIR: process.env.TMPDIR, TEMP: process.env.TEMP, TMP: process.env.TMP };
  process.env.TMPDIR = process.env.TEMP = process.env.TMP = dir;
  return () => {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (process.env.S3_EVENT_LABS_KEEP_TEST_TMP === "1") console.log(`test temp dir kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
}
