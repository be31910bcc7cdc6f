// policy/glob.ts: the `*`/`?` matcher behind IAM and S3 bucket-policy wildcards.
// Same answers as the regexes it replaced, and no backtracking: a pattern with
// many stars against a long value returns (a backtracking regex would not).
import { expect, it } from "vitest";
import { Glob } from "../../src/cloud/policy/glob.js";
import { actionMatches, resourceMatches } from "../../src/cloud/policy/matchers.js";

const cases: Array<[string, string, boolean]> = [
  ["*", "", true],
  ["a*", "abc", true],
  ["*c", "abc", true],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["*?", "", false],
  ["*?", "x", true],
  ["a*b*c", "acb", false],
  ["*a*a*b", "aab", true],
  ["*a*a*b", "aaaa", false],
  ["arn:aws:s3:::b/*/x?", "arn:aws:s3:::b/a/b/xy", true],
  ["arn:aws:s3:::b/*", "arn:aws:s3:::c/a", false],
];

it("matches like IAM's wildcards", () => {
  for (const [pattern, value, want] of cases) expect([pattern, value, Glob.of(pattern).test(value)]).toEqual([pattern, value, want]);
  expect(actionMatches("S3:get*", "s3:GetObject")).toBe(true);
  expect(resourceMatches("arn:aws:s3:::B/*", "arn:aws:s3:::b/k")).toBe(false);
});

it("keeps resolved policy variables literal", () => {
  expect(new Glob([{ text: "home/", literal: false }, { text: "a*b", literal: true }, { text: "/*", literal: false }]).test("home/a*b/x")).toBe(true);
  expect(new Glob([{ text: "home/", literal: false }, { text: "a*b", literal: true }]).test("home/axxb")).toBe(false);
});

it("returns on many stars against a long value", () => {
  const pattern = "*a".repeat(40) + "*b";
  expect(Glob.of(pattern).test("a".repeat(100_000))).toBe(false);
  expect(resourceMatches(`arn:aws:s3:::b/${pattern}`, `arn:aws:s3:::b/${"a".repeat(50_000)}`)).toBe(false);
});
