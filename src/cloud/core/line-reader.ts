/**
 * Reading a state file one line at a time, synchronously, without ever
 * holding the whole file as one string. V8 cannot make a string longer than
 * ~512 MiB (0x1fffffe8 UTF-16 units), so a journal or snapshot read with
 * `readFileSync(path, "utf8")` stops loading once state outgrows that — and the
 * data dir would no longer start. Here the file is read in fixed-size chunks
 * (`fs.readSync` into one buffer, split on "\n"), and only single lines become
 * strings; a single record is at most what `JSON.stringify` could produce when
 * it was written, so it always fits.
 *
 * Synchronous on purpose: tables are constructed synchronously while the cloud
 * starts (and an empty or small data dir must start in milliseconds); a chunked
 * `readSync` costs the same as an async stream without the event-loop hops.
 *
 * `maxStringBytes` is injectable so a test can prove, with a few MB of state,
 * that the loader never builds a string as large as the file (the loader would
 * throw like V8 does if it tried).
 */
import * as fs from "node:fs";

/** What V8 allows (0x1fffffe8 UTF-16 code units); bytes ≥ units for UTF-8, so a byte count under it is safe. */
export const V8_MAX_STRING_LENGTH = 0x1fffffe8;

export interface LineReaderOptions {
  /** Bytes read per `readSync` call. */
  chunkBytes?: number;
  /** Longest string the reader may create; a longer line throws like V8 would. */
  maxStringBytes?: number;
}

export interface Line {
  /** The line's text without its "\n" ("" for an incomplete line). */
  text: string;
  /** Byte offset just past this line's "\n" (or past its last byte when the file ends without one). */
  end: number;
  /** False for a last line that has no "\n": an append a crash cut short. */
  complete: boolean;
}

export class StringTooLongError extends RangeError {
  constructor(bytes: number, limit: number) {
    super(`Cannot create a string of ${bytes} bytes (limit ${limit})`);
  }
}

/** Every line of a file, in order. A missing file has no lines. */
export function* readLines(file: string, options: LineReaderOptions = {}): Generator<Line> {
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const maxString = options.maxStringBytes ?? V8_MAX_STRING_LENGTH;
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  const buffer = Buffer.allocUnsafe(chunkBytes);
  // The pieces of a line that spans chunks; joined only when its "\n" arrives.
  let pieces: Buffer[] = [];
  let pending = 0;
  let offset = 0;
  const decode = (parts: Buffer[], size: number): string => {
    if (size > maxString) throw new StringTooLongError(size, maxString);
    return (parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)).toString("utf8");
  };
  try {
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, chunkBytes, null);
      if (read === 0) break;
      let start = 0;
      for (;;) {
        const nl = buffer.indexOf(10, start);
        if (nl === -1 || nl >= read) break;
        const piece = buffer.subarray(start, nl);
        const size = pending + piece.length;
        offset += piece.length + 1;
        const text = decode(pending ? [...pieces, piece] : [piece], size);
        pieces = [];
        pending = 0;
        start = nl + 1;
        yield { text, end: offset, complete: true };
      }
      if (start < read) {
        // Copy: the shared buffer is overwritten by the next read.
        const rest = Buffer.from(buffer.subarray(start, read));
        pieces.push(rest);
        pending += rest.length;
        offset += rest.length;
        // A line already longer than any string could be is refused before it eats memory.
        if (pending > maxString) throw new StringTooLongError(pending, maxString);
      }
    }
    // A torn last line is never parsed (its write never returned, so nothing acknowledged it): no text.
    if (pending) yield { text: "", end: offset, complete: false };
  } finally {
    fs.closeSync(fd);
  }
}
