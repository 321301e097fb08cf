import { Text } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { maskVariables, problemSentence, toCmDiagnostics, withoutFrame } from "./validate";

describe("message validation helpers", () => {
  it("masks variables keeping positions", () => {
    expect(maskVariables('{"a": {{num}}, "b": "{{s}}"}')).toBe('{"a": 0      , "b": "0    "}');
    expect(maskVariables("no vars")).toBe("no vars");
  });
  it("maps byte offsets to editor positions past non-ASCII text", () => {
    const text = '{"é😀": 1,}';
    const doc = Text.of([text]);
    // wsdeck: the trailing comma at byte 12 (column 9 in characters).
    const wsdeck = {
      severity: "error",
      message: "trailing comma",
      hint: "remove the comma",
      line: 1,
      column: 9,
      offset: 12,
    } as const;
    const [d] = toCmDiagnostics(text, doc, [wsdeck]);
    expect(d?.from).toBe(text.indexOf(",}"));
    expect(d?.message).toBe("trailing comma — remove the comma");
    expect(problemSentence(wsdeck)).toBe("Line 1, column 9: trailing comma — remove the comma");
  });
  it("handles a position at the end and on later lines", () => {
    const text = "[1,\n  2";
    const doc = Text.of(text.split("\n"));
    const wsdeck = {
      severity: "error",
      message: "unexpected end",
      hint: null,
      line: 2,
      column: 4,
      offset: 7,
    } as const;
    const [d] = toCmDiagnostics(text, doc, [wsdeck]);
    expect(d).toMatchObject({ from: 7, to: 7 });
    expect(problemSentence(wsdeck)).toBe("Line 2, column 4: unexpected end");
    expect(problemSentence(undefined)).toBe("");
  });
});

describe("wsdeck's wording", () => {
  const hex = "odd number of hex digits (3) in the group starting at line 1, column 1 (byte 0)";
  const hint = "write every byte as two digits, e.g. 0a instead of a";
  it("keeps the message whole and prefixes the place from the diagnostic's fields", () => {
    const d = { severity: "error", message: hex, hint, line: 1, column: 1, offset: 0 } as const;
    expect(problemSentence(d)).toBe(`Line 1, column 1: ${hex} — ${hint}`);
    const [cm] = toCmDiagnostics("abc", Text.of(["abc"]), [d]);
    expect(cm?.message).toBe(`${hex} — ${hint}`);
  });
  it("drops only a leading JSON-RPC frame", () => {
    expect(withoutFrame(`Invalid params: at \`binary\`: ${hex}`)).toBe(hex);
    expect(withoutFrame(hex)).toBe(hex);
    expect(withoutFrame("see Invalid params: at `x`: y")).toBe("see Invalid params: at `x`: y");
  });
});
