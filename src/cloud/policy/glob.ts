/**
 * `*` / `?` wildcard matching without regular expressions, for patterns
 * written by users (IAM policy actions, resources and condition values, S3
 * bucket-policy resources). A pattern like `*a*a*a*a*b` compiled to a
 * backtracking regex takes time exponential in its stars on a long value;
 * this matcher walks the value once per star restart — O(value × pattern) at
 * worst, linear in practice — and never recurses (issue 11).
 *
 * `*` is any run of characters (none included), `?` exactly one UTF-16 code
 * unit (as the regex `.` it replaces). Parts marked literal (resolved policy
 * variables, `${*}`) match themselves only.
 */
const LITERAL = 0;
const STAR = 1;
const ONE = 2;

export class Glob {
  private readonly chars: string;
  private readonly kinds: Uint8Array;

  constructor(
    parts: Array<{ text: string; literal: boolean }>,
    private readonly ignoreCase = false,
  ) {
    let chars = "";
    const kinds: number[] = [];
    for (const part of parts) {
      const text = ignoreCase ? part.text.toLowerCase() : part.text;
      for (const c of text.split("")) {
        chars += c;
        kinds.push(part.literal ? LITERAL : c === "*" ? STAR : c === "?" ? ONE : LITERAL);
      }
    }
    this.chars = chars;
    this.kinds = Uint8Array.from(kinds);
  }

  static of(pattern: string, ignoreCase = false): Glob {
    return new Glob([{ text: pattern, literal: false }], ignoreCase);
  }

  /** Same name as RegExp's, so a Glob drops in where a compiled pattern was used. */
  test(input: string): boolean {
    const value = this.ignoreCase ? input.toLowerCase() : input;
    const { chars, kinds } = this;
    const m = kinds.length;
    const n = value.length;
    let p = 0;
    let v = 0;
    let starP = -1;
    let starV = 0;
    while (v < n) {
      if (p < m && (kinds[p] === ONE || (kinds[p] === LITERAL && chars[p] === value[v]))) {
        p++;
        v++;
      } else if (p < m && kinds[p] === STAR) {
        starP = p++;
        starV = v;
      } else if (starP >= 0) {
        // Let the last star eat one more character and retry from just after it.
        p = starP + 1;
        v = ++starV;
      } else {
        return false;
      }
    }
    while (p < m && kinds[p] === STAR) p++;
    return p === m;
  }
}
