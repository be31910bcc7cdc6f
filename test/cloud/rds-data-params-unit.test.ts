// The Data API's `:name` parameters → PostgreSQL `$n`, and Fields → typed text
// values (rds-data/sql-params.ts); and PostgreSQL array literals → arrayValue
// (results.ts). Pure functions, no cloud.
import { describe, expect, it } from "vitest";
import { bindField, bindStatement, positionalSql } from "../../src/cloud/services/rds-data/sql-params.js";
import { fieldOf, parseArray } from "../../src/cloud/services/rds-data/results.js";

describe(":name → $n", () => {
  it("numbers names in order of first use, reusing the number of a repeated name", () => {
    expect(positionalSql("SELECT :a, :b, :a")).toEqual({ text: "SELECT $1, $2, $1", names: ["a", "b"] });
  });

  it("leaves casts, strings, quoted identifiers, comments, dollar quotes and slices alone", () => {
    const sql = `SELECT x::int, ':no', E'\\':no', "col:no", arr[1:2], $$ :no $$, $tag$ :no $tag$ -- :no
      /* :no /* nested :no */ */ FROM t WHERE y = :yes AND z = 'it''s :no'`;
    const { text, names } = positionalSql(sql);
    expect(names).toEqual(["yes"]);
    expect(text).toContain("y = $1");
    expect(text).toContain("x::int");
    expect(text.match(/:no/g)).toHaveLength(9);
    expect(text).toContain("arr[1:2]");
  });
});

describe("Fields → typed values", () => {
  it("binds each Field type as the Data API does through JDBC", () => {
    expect(bindField({ longValue: 9007199254740991 }, undefined, "p")).toEqual({ value: "9007199254740991", type: 20 });
    expect(bindField({ doubleValue: 0.5 }, undefined, "p")).toEqual({ value: "0.5", type: 701 });
    expect(bindField({ booleanValue: false }, undefined, "p")).toEqual({ value: "false", type: 16 });
    expect(bindField({ stringValue: "x" }, undefined, "p")).toEqual({ value: "x", type: 1043 });
    expect(bindField({ stringValue: "2026-12-01" }, "DATE", "p")).toEqual({ value: "2026-12-01", type: 1082 });
    expect(bindField({ isNull: true }, undefined, "p")).toEqual({ value: null, type: 0 });
    expect(bindField({ blobValue: Buffer.from([1, 255]).toString("base64") }, undefined, "p")).toEqual({ value: "\\x01ff", type: 17 });
  });

  it("refuses arrays, empty or double Fields, unknown hints and missing parameters", () => {
    expect(() => bindField({ arrayValue: { longValues: [1] } }, undefined, "p")).toThrow("Array parameters are not supported.");
    expect(() => bindField({}, undefined, "p")).toThrow(/exactly one/);
    expect(() => bindField({ longValue: 1, stringValue: "1" }, undefined, "p")).toThrow(/exactly one/);
    expect(() => bindField({ stringValue: "x" }, "MONEY", "p")).toThrow(/typeHint/);
    expect(() => bindStatement("SELECT :a", [])).toThrow(/No value specified for parameter 1/);
  });
});

describe("results", () => {
  it("parses array literals, quoted elements and nesting", () => {
    expect(parseArray('{1,2,NULL}')).toEqual(["1", "2", null]);
    expect(parseArray('{"a b","c\\"d",e}')).toEqual(["a b", 'c"d', "e"]);
    expect(parseArray("{{1,2},{3,4}}")).toEqual([["1", "2"], ["3", "4"]]);
    expect(fieldOf("{{1,2},{3,4}}", 1007, {})).toEqual({ arrayValue: { arrayValues: [{ longValues: [1, 2] }, { longValues: [3, 4] }] } });
    expect(fieldOf("{t,f}", 1000, {})).toEqual({ arrayValue: { booleanValues: [true, false] } });
  });

  it("honours longReturnType STRING and decimalReturnType DOUBLE_OR_LONG", () => {
    expect(fieldOf("12", 20, { longReturnType: "STRING" })).toEqual({ stringValue: "12" });
    expect(fieldOf("12", 1700, { decimalReturnType: "DOUBLE_OR_LONG" })).toEqual({ longValue: 12 });
    expect(fieldOf("1.25", 1700, {})).toEqual({ stringValue: "1.25" });
  });
});
