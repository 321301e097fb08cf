// Beautifying JSON that holds `{{variables}}` outside strings (`{"n": {{count}}}`): such a
// reference is swapped for a unique JSON string while formatting and put back afterwards.
// References inside strings are plain string content and need nothing.

import { findVariables } from "../editor/variables";

/** Whether UTF-16 index `pos` of `text` is inside a JSON string. */
function insideStrings(text: string): (pos: number) => boolean {
  const starts: number[] = [];
  const ends: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i += 1;
      else if (c === '"') {
        inString = false;
        ends.push(i);
      }
    } else if (c === '"') {
      inString = true;
      starts.push(i);
    }
  }
  if (inString) ends.push(text.length);
  return (pos) => starts.some((s, k) => s < pos && pos <= (ends[k] ?? text.length));
}

export function protectVariables(text: string): { text: string; restore: (out: string) => string } {
  const inside = insideStrings(text);
  const saved: string[] = [];
  let out = "";
  let last = 0;
  const tag = `wsdeck-var-${Math.random().toString(36).slice(2, 8)}-`;
  for (const span of findVariables(text)) {
    if (inside(span.from)) continue;
    out += text.slice(last, span.from) + `"${tag}${saved.length}"`;
    saved.push(text.slice(span.from, span.to));
    last = span.to;
  }
  out += text.slice(last);
  return {
    text: out,
    restore: (formatted) =>
      saved.length === 0
        ? formatted
        : formatted.replace(
            new RegExp(`"${tag}(\\d+)"`, "g"),
            (m, n: string) => saved[Number(n)] ?? m,
          ),
  };
}
