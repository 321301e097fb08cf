import { describe, expect, it } from "vitest";
import { findVariables, isDynamic } from "./variables";

describe("findVariables", () => {
  it("finds references with their spans", () => {
    expect(findVariables("ws://{{host}}/a?t={{ token }}")).toEqual([
      { from: 5, to: 13, name: "host" },
      { from: 18, to: 29, name: "token" },
    ]);
  });
  it("skips empty, unclosed and multi-line references", () => {
    expect(findVariables("{{}} {{a b")).toEqual([]);
    expect(findVariables("{{a\nb}}")).toEqual([]);
    expect(findVariables("{{ }}")).toEqual([]);
  });
  it("opens with the last two braces of a run", () => {
    expect(findVariables("{{{x}}}")).toEqual([{ from: 1, to: 6, name: "x" }]);
  });
  it("honours backslash escapes", () => {
    expect(findVariables("\\{{x}}")).toEqual([]);
    expect(findVariables("\\\\{{x}}")).toEqual([{ from: 2, to: 7, name: "x" }]);
  });
  it("counts UTF-16 units", () => {
    expect(findVariables("é😀{{ü}}")).toEqual([{ from: 3, to: 8, name: "ü" }]);
  });
  it("knows dynamic variables", () => {
    expect(isDynamic("$randomUUID")).toBe(true);
    expect(isDynamic("host")).toBe(false);
  });
});
