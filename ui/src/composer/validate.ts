// Inline validation of the message through `wsdeck.format.validate`, as CodeMirror lint
// diagnostics. wsdeck reports byte offsets; CodeMirror wants UTF-16 indexes.

import type { Diagnostic as CmDiagnostic } from "@codemirror/lint";
import type { Text } from "@codemirror/state";
import { byteToUtf16 } from "../editor/offsets";
import { findVariables } from "../editor/variables";
import type { Diagnostic } from "../types";

/**
 * JSON with `{{name}}` in a value position is not JSON until wsdeck substitutes it; checking
 * replaces each reference by `0` and spaces of the same UTF-16 length (a number outside
 * strings, text inside them), so positions stay where they are.
 */
export function maskVariables(text: string): string {
  let out = "";
  let last = 0;
  for (const span of findVariables(text)) {
    out += text.slice(last, span.from) + "0" + " ".repeat(span.to - span.from - 1);
    last = span.to;
  }
  return out + text.slice(last);
}

/** Line and column (1-based, column in characters) of a UTF-16 index, for people. */
export function lineColumn(doc: Text, pos: number): { line: number; column: number } {
  const line = doc.lineAt(pos);
  return { line: line.number, column: [...line.text.slice(0, pos - line.from)].length + 1 };
}

/** wsdeck diagnostics of `checked` (same UTF-16 layout as the document) as CodeMirror's. */
export function toCmDiagnostics(checked: string, doc: Text, errors: Diagnostic[]): CmDiagnostic[] {
  return errors.map((e) => {
    const from = Math.min(byteToUtf16(checked, e.offset), doc.length);
    const line = doc.lineAt(from);
    const to = from < line.to ? from + 1 : from;
    return {
      from,
      to,
      severity: e.severity === "warning" ? "warning" : "error",
      message: e.hint ? `${e.message} — ${e.hint}` : e.message,
    };
  });
}

/** The first problem as one sentence: "Line 1, column 7: trailing comma — remove the comma…",
 *  placed by wsdeck's own line and column (its messages do not repeat them). */
export function problemSentence(d: Diagnostic | undefined): string {
  if (!d) return "";
  const message = d.hint ? `${d.message} — ${d.hint}` : d.message;
  return `Line ${d.line}, column ${d.column}: ${message}`;
}
