/**
 * What a deployment package may hold before anything of it touches the disk
 * (issue 11). fflate reads the archive; these checks read its central
 * directory and names, because fflate itself neither reports symlinks nor
 * cares what a name contains:
 * - names: no NUL or other control characters, no absolute paths or drive
 *   letters, no `..` segments, no name that is both a file and a directory;
 * - symlinks (Unix mode S_IFLNK in the entry's external attributes) are
 *   refused: unpacked as plain files they would break the code, and unpacked
 *   as links they could point anywhere on the learner's machine;
 * - the declared unpacked size is summed and capped at AWS's 250 MB before
 *   any entry is inflated (fflate inflates each entry into a buffer of its
 *   declared size, so a lying header cannot inflate past it).
 * Every refusal is InvalidParameterValueException with Lambda's message for
 * an archive it cannot unzip, or its unzipped-size message.
 */
import { invalidParameter } from "./errors.js";

export const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";

/** Names an entry may not have. */
export function badEntryName(name: string): string | undefined {
  if (name.length === 0) return "an empty name";
  if (/[\u0000-\u001f\u007f]/.test(name)) return "a control character in a name";
  if (name.startsWith("/") || name.startsWith("\\") || /^[a-zA-Z]:/.test(name)) return "an absolute path";
  if (name.split(/[\\/]/).some((part) => part === "..")) return "a '..' segment";
  return undefined;
}

/** Throw for names that cannot be written side by side (a file "a" and an entry "a/b"). */
export function checkNames(names: string[]): void {
  const files = new Set<string>();
  const dirs = new Set<string>();
  for (const name of names) {
    const bad = badEntryName(name);
    if (bad) throw invalidParameter(`${UNZIP_FAILED} (the archive has ${bad})`);
    const clean = name.replace(/\\/g, "/");
    const parts = clean.split("/").filter((p) => p !== "" && p !== ".");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    if (clean.endsWith("/")) dirs.add(parts.join("/"));
    else files.add(parts.join("/"));
  }
  for (const f of files) {
    if (dirs.has(f) || f === "") throw invalidParameter(`${UNZIP_FAILED} (the archive has "${f}" both as a file and as a directory)`);
  }
}

/** Entry names in the central directory whose Unix mode says symlink. Returns [] when the directory cannot be read (fflate then reports the archive). */
export function symlinkEntries(zip: Uint8Array): string[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - 22; i >= 0 && i >= zip.length - 65_558; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return [];
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const links: string[] = [];
  for (let n = 0; n < count && at + 46 <= zip.length; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) break;
    const madeBy = view.getUint16(at + 4, true) >> 8;
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const mode = view.getUint32(at + 38, true) >>> 16;
    if (madeBy === 3 && (mode & 0o170000) === 0o120000) {
      links.push(Buffer.from(zip.subarray(at + 46, at + 46 + nameLength)).toString("utf8"));
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  return links;
}
