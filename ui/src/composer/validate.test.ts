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
  // wsdeck's own sentences for hex and base64 input, as `wsdeck.format.validate` answers them.
  const odd =
    "odd number of hex digits (3) in the group starting at line 1, column 1 (byte 0) (write every byte as two digits, e.g. 0a instead of a)";
  const digit =
    "`z` at line 1, column 1 (byte 0) is not a hex digit (use 0-9 and a-f, optionally with 0x prefixes and spaces, `:`, `,` or `-` between bytes)";
  const b64 =
    "`!` at line 2, column 3 (byte 6) is not a base64 character (use A-Z, a-z, 0-9 and + / or - _, with optional = padding at the end)";
  const at = (message: string, line: number, column: number, offset: number) =>
    ({ severity: "error", message, hint: null, line, column, offset }) as const;

  it("says the place once: the prefix, not the message's own copy of it", () => {
    expect(problemSentence(at(digit, 1, 1, 0))).toBe(
      "Line 1, column 1: `z` is not a hex digit (use 0-9 and a-f, optionally with 0x prefixes and spaces, `:`, `,` or `-` between bytes)",
    );
    expect(problemSentence(at(odd, 1, 1, 0))).toBe(
      "Line 1, column 1: odd number of hex digits (3) in the group (write every byte as two digits, e.g. 0a instead of a)",
    );
    expect(problemSentence(at(b64, 2, 3, 6))).toBe(
      "Line 2, column 3: `!` is not a base64 character (use A-Z, a-z, 0-9 and + / or - _, with optional = padding at the end)",
    );
    for (const m of [digit, odd]) expect(problemSentence(at(m, 1, 1, 0))).not.toMatch(/byte 0/);
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
  it("drops only a leading JSON-RPC frame", () => {
    expect(withoutFrame(`Invalid params: at \`binary\`: ${odd}`)).toBe(odd);
    expect(withoutFrame(odd)).toBe(odd);
    expect(withoutFrame("see Invalid params: at `x`: y")).toBe("see Invalid params: at `x`: y");
  });
});
