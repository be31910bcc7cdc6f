// Run as a child process by test/cloud/escape-guard.test.ts: starts a cloud,
// lets an error escape from a timer (as a library callback would), then
// prints what the health endpoint says — proving the process survived and
// counted the escape. In its own process because the test runner treats any
// uncaught error in its workers as a failed run.
import { start } from "../../src/cloud/index.js";

const cloud = await start({ port: 0, inMemory: true, logSink: () => {} });
setTimeout(() => {
  throw new Error("deliberate escape");
}, 0);
setTimeout(() => void Promise.reject(new Error("deliberate rejection")), 0);
await new Promise((r) => setTimeout(r, 50));
const health = (await (await fetch(`${cloud.endpoint}/_localcloud/health`)).json()) as { status: string; escapedErrors: number };
process.stdout.write(JSON.stringify(health) + "\n");
await cloud.close();
