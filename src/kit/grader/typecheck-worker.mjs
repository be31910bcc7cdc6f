// Worker thread for typecheck.ts: runs the TypeScript checker off the grader's event loop (building a
// program takes a second or more, which would stall the grader's polls). Plain JS: no loader needed.
import { parentPort, workerData } from "node:worker_threads";
import * as path from "node:path";

const { files, tsconfig } = workerData;
try {
  const ts = (await import("typescript")).default;
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(read.config ?? {}, ts.sys, path.dirname(tsconfig));
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true, skipLibCheck: true });
  const wanted = new Set(files.map((f) => path.resolve(f)));
  const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter((d) => d.file && wanted.has(path.resolve(d.file.fileName)));
  parentPort.postMessage({
    ok: true,
    errors: diagnostics.map((d) => {
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
      return { file: d.file.fileName, line: line + 1, column: character + 1, code: d.code, message: ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0] };
    }),
  });
} catch (err) {
  parentPort.postMessage({ ok: false, reason: err instanceof Error ? err.message : String(err) });
}
