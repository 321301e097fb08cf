import { describe, expect, it } from "vitest";
import { closeCodeProblem, closeReasonProblem, isSendableCloseCode } from "./close";

describe("close form checks", () => {
  it("accepts sendable codes only", () => {
    for (const c of [1000, 1003, 1007, 1014, 3000, 4999]) expect(isSendableCloseCode(c)).toBe(true);
    for (const c of [999, 1004, 1005, 1006, 1015, 2000, 2999, 5000]) {
      expect(isSendableCloseCode(c)).toBe(false);
    }
    expect(closeCodeProblem("1000")).toBe("");
    expect(closeCodeProblem("")).toBe("");
    expect(closeCodeProblem("1005")).toBe(
      "1005 is reserved: it means 'no code' and is never sent; use 1000–1003, 1007–1014 or 3000–4999.",
    );
    expect(closeCodeProblem("2500")).toMatch(/can't be sent/);
    expect(closeCodeProblem("10.5")).toBe("Enter a whole number, such as 1000.");
    expect(closeCodeProblem("abc")).toBe("Enter a whole number, such as 1000.");
  });
  it("needs a code for a reason and at most 123 bytes of UTF-8", () => {
    expect(closeReasonProblem("1000", "bye")).toBe("");
    expect(closeReasonProblem("", "")).toBe("");
    expect(closeReasonProblem("", "bye")).toMatch(/needs a close code/);
    expect(closeReasonProblem("1000", "a".repeat(123))).toBe("");
    expect(closeReasonProblem("1000", "ü".repeat(62))).toMatch(/124 bytes/);
  });
});
