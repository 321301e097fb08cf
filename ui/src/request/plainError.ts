// wsdeck's params errors name a JSON path (`Invalid params: at \`headers[0]\`: …`): fine for
// programs, odd for people. This rewords the path as the field the user typed into.

function fieldName(path: string): string {
  if (path === "url") return "the URL";
  if (path === "params") return "the request";
  let m = /^(headers|params)\[(\d+)\]/.exec(path);
  if (m) return `${m[1] === "headers" ? "header" : "param"} ${Number(m[2]) + 1}`;
  m = /^protocols\[(\d+)\]/.exec(path);
  if (m) return `protocol ${Number(m[1]) + 1}`;
  if (path.startsWith("settings")) return "the settings";
  if (path === "text" || path === "binary" || path === "hex" || path === "base64") {
    return "the message";
  }
  if (path === "code") return "the close code";
  if (path === "reason") return "the close reason";
  if (path === "data") return "the control payload";
  return `\`${path}\``;
}

/** "Invalid params: at `url`: url, line 1, column 34: undefined variable `nope`." becomes
 *  "In the URL: line 1, column 34: undefined variable `nope`." Other texts stay as they are. */
export function plainError(text: string): string {
  const m = /^Invalid params: at `([^`]*)`: (.*)$/s.exec(text);
  if (!m) return text.charAt(0).toUpperCase() + text.slice(1);
  const path = m[1] ?? "";
  let reason = m[2] ?? "";
  if (reason.startsWith(`${path}, `)) reason = reason.slice(path.length + 2);
  return `In ${fieldName(path)}: ${reason}`;
}
