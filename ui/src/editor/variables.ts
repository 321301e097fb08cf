// Where the `{{variable}}` references of a text are, by wsdeck's template rules
// (crates/format/src/template.rs): a name is anything but braces and control characters
// (tab allowed), trimmed; `{{{x}}}` opens with its last two braces; an odd number of
// backslashes before the braces makes them literal.

export interface VariableSpan {
  /** UTF-16 index of the first `{` of `{{`. */
  from: number;
  /** UTF-16 index just after the closing `}}`. */
  to: number;
  /** The name, without surrounding whitespace. */
  name: string;
}

function isNameChar(c: string): boolean {
  if (c === "{" || c === "}") return false;
  if (c === "\t") return true;
  const code = c.charCodeAt(0);
  return !(code < 0x20 || (code >= 0x7f && code <= 0x9f));
}

export function findVariables(text: string): VariableSpan[] {
  const spans: VariableSpan[] = [];
  let i = 0;
  while (i < text.length - 1) {
    if (text[i] !== "{" || text[i + 1] !== "{") {
      i += 1;
      continue;
    }
    let run = 0;
    while (text[i + run] === "{") run += 1;
    let slashes = 0;
    while (i - slashes - 1 >= 0 && text[i - slashes - 1] === "\\") slashes += 1;
    const bodyStart = i + run;
    if (slashes % 2 === 1) {
      i = bodyStart;
      continue;
    }
    let j = bodyStart;
    while (j < text.length && isNameChar(text[j] ?? "")) j += 1;
    if (text[j] === "}" && text[j + 1] === "}") {
      const name = text.slice(bodyStart, j).trim();
      if (name) spans.push({ from: bodyStart - 2, to: j + 2, name });
      i = j + 2;
    } else {
      i = bodyStart;
    }
  }
  return spans;
}

/** A dynamic variable (`{{$randomUUID}}`): wsdeck provides it unless a scope defines it. */
export function isDynamic(name: string): boolean {
  return name.startsWith("$");
}
