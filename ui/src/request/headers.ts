// What is wrong with a handshake header's name, said while it is typed (wsdeck would refuse
// it only on Connect).

/** RFC 7230 `tchar`: what a header name may be made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The problem with a header name, or "" (empty rows and `{{variables}}` are judged later). */
export function headerNameProblem(name: string): string {
  const n = name.trim();
  if (n === "" || n.includes("{{")) return "";
  if (n.toLowerCase() === "sec-websocket-key")
    return "wsdeck makes a fresh Sec-WebSocket-Key for every handshake: remove this header.";
  if (!TOKEN.test(n)) {
    const bad = [...n].find((c) => !TOKEN.test(c)) ?? "";
    const shown = bad === " " ? "a space" : `"${bad}"`;
    return `A header name cannot contain ${shown} (letters, digits and !#$%&'*+-.^_\`|~ only).`;
  }
  return "";
}
