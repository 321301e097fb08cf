import { Text } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { maskVariables, problemSentence, toCmDiagnostics, withoutPosition } from "./validate";

describe("message validation helpers", () => {
  it("masks variables keeping positions", () => {
    expect(maskVariables('{"a": {{num}}, "b": "{{s}}"}')).toBe('{"a": 0      , "b": "0    "}');
    expect(maskVariables("no vars")).toBe("no vars");
  });
  it("maps byte offsets to editor positions past non-ASCII text", () => {
    const text = '{"é😀": 1,}';
    const doc = Text.of([text]);
    // wsdeck: the trailing comma at byte 12 (column 9 in characters).
    const [d] = toCmDiagnostics(text, doc, [
      {
        severity: "error",
        message: "trailing comma",
        hint: "remove the comma",
        line: 1,
        column: 9,
        offset: 12,
      },
    ]);
    expect(d?.from).toBe(text.indexOf(",}"));
    expect(problemSentence(doc, d)).toBe("Line 1, column 9: trailing comma — remove the comma");
  });
  it("handles a position at the end and on later lines", () => {
    const text = "[1,\n  2";
    const doc = Text.of(text.split("\n"));
    const [d] = toCmDiagnostics(text, doc, [
      { severity: "error", message: "unexpected end", hint: null, line: 2, column: 4, offset: 7 },
    ]);
    expect(d).toMatchObject({ from: 7, to: 7 });
    expect(problemSentence(doc, d)).toBe("Line 2, column 4: unexpected end");
  });
});

describe("withoutPosition", () => {
  it("drops the position wsdeck wrote into the sentence", () => {
    expect(withoutPosition("`{` at line 1, column 1 (byte 0) is not a hex digit")).toBe(
      "`{` is not a hex digit",
    );
  });
});
