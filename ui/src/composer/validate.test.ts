import { Text } from "@codemirror/state";
import { describe, expect, it } from "vitest";
import { maskVariables, problemSentence, toCmDiagnostics } from "./validate";

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
  // wsdeck's own diagnostics for hex and base64 input, as `wsdeck.format.validate` answers
  // them: the place in line/column only, the fix in the hint.
  const odd = "odd number of hex digits (3) in a group";
  const digit = "`z` is not a hex digit";
  const b64 = "`!` is not a base64 character";
  const at = (message: string, line: number, column: number, offset: number, hint?: string) =>
    ({ severity: "error", message, hint: hint ?? null, line, column, offset }) as const;

  it("says the place once, then the problem and its fix", () => {
    expect(problemSentence(at(digit, 1, 1, 0, "use 0-9 and a-f"))).toBe(
      "Line 1, column 1: `z` is not a hex digit — use 0-9 and a-f",
    );
    expect(problemSentence(at(odd, 1, 1, 0))).toBe(
      "Line 1, column 1: odd number of hex digits (3) in a group",
    );
    expect(problemSentence(at(b64, 2, 3, 6))).toBe(
      "Line 2, column 3: `!` is not a base64 character",
    );
  });
  it("keeps another place the message names, and a hint", () => {
    const xml = "`</a>` does not close `<b>` opened at line 2, column 3 (byte 6)";
    expect(problemSentence(at(xml, 3, 1, 20))).toBe(`Line 3, column 1: ${xml}`);
    const d = { ...at("trailing comma", 1, 4, 3), hint: "remove the comma" };
    expect(problemSentence(d)).toBe("Line 1, column 4: trailing comma — remove the comma");
  });
  it("leaves the editor's inline message whole (it is shown at the place)", () => {
    const [cm] = toCmDiagnostics("z", Text.of(["z"]), [at(digit, 1, 1, 0)]);
    expect(cm?.message).toBe(digit);
  });
});
