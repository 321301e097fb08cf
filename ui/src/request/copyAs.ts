// "Copy as…": the request as a command line (wsdeck, websocat, wscat) or as code (browser
// WebSocket, Node `ws`, Python `websockets`) that opens the same connection — URL, headers,
// subprotocols — and sends the composer's text message. `{{variables}}` stay as typed (no
// value, secret or not, is put in the copy); `wsdeck connect` resolves them itself.

export interface CopyRequest {
  url: string;
  headers: [string, string][];
  protocols: string[];
  /** The text message to send once connected ("" for none). */
  message: string;
}

export type CopyTarget = "wsdeck" | "websocat" | "wscat" | "browser" | "node" | "python";

export const COPY_TARGETS: { target: CopyTarget; label: string }[] = [
  { target: "wsdeck", label: "wsdeck connect" },
  { target: "websocat", label: "websocat" },
  { target: "wscat", label: "wscat" },
  { target: "browser", label: "JavaScript (browser WebSocket)" },
  { target: "node", label: "JavaScript (Node, ws)" },
  { target: "python", label: "Python (websockets)" },
];

/** A POSIX shell word: bare when it is safe, else single-quoted. */
export function shellWord(text: string): string {
  if (text !== "" && /^[A-Za-z0-9_./:=@%+,-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function header([name, value]: [string, string]): string {
  return shellWord(`${name}: ${value}`);
}

/** A JavaScript (and Python) string literal: JSON's quoting is valid in both. */
function literal(text: string): string {
  return JSON.stringify(text);
}

function wsdeckCommand(r: CopyRequest): string {
  const words = ["wsdeck", "connect", shellWord(r.url)];
  for (const h of r.headers) words.push("-H", header(h));
  for (const p of r.protocols) words.push("-s", shellWord(p));
  if (r.message) words.push("-x", shellWord(r.message));
  return words.join(" ");
}

function websocatCommand(r: CopyRequest): string {
  const words = ["websocat"];
  for (const h of r.headers) words.push("-H", header(h));
  if (r.protocols.length) words.push("--protocol", shellWord(r.protocols.join(", ")));
  words.push(shellWord(r.url));
  const command = words.join(" ");
  return r.message ? `printf '%s\\n' ${shellWord(r.message)} | ${command}` : command;
}

function wscatCommand(r: CopyRequest): string {
  const words = ["wscat", "-c", shellWord(r.url)];
  for (const h of r.headers) words.push("-H", header(h));
  for (const p of r.protocols) words.push("-s", shellWord(p));
  if (r.message) words.push("-x", shellWord(r.message));
  return words.join(" ");
}

function browserCode(r: CopyRequest): string {
  const lines: string[] = [];
  if (r.headers.length) {
    lines.push(
      "// A browser's WebSocket cannot send custom headers; these were left out:",
      ...r.headers.map(([n, v]) => `//   ${n}: ${v}`),
    );
  }
  const protocols = r.protocols.length ? `, ${JSON.stringify(r.protocols)}` : "";
  lines.push(`const ws = new WebSocket(${literal(r.url)}${protocols});`);
  if (r.message) lines.push(`ws.onopen = () => ws.send(${literal(r.message)});`);
  lines.push("ws.onmessage = (event) => console.log(event.data);");
  lines.push("ws.onclose = (event) => console.log(`closed ${event.code} ${event.reason}`);");
  return lines.join("\n");
}

function nodeCode(r: CopyRequest): string {
  const headers = Object.fromEntries(r.headers);
  const options = r.headers.length ? `, { headers: ${JSON.stringify(headers, null, 2)} }` : "";
  const protocols = r.protocols.length || options ? `, ${JSON.stringify(r.protocols)}` : "";
  const lines = [
    'import WebSocket from "ws";',
    "",
    `const ws = new WebSocket(${literal(r.url)}${protocols}${options});`,
  ];
  if (r.message) lines.push(`ws.on("open", () => ws.send(${literal(r.message)}));`);
  lines.push('ws.on("message", (data) => console.log(data.toString()));');
  lines.push('ws.on("close", (code, reason) => console.log(`closed ${code} ${reason}`));');
  return lines.join("\n");
}

function pythonCode(r: CopyRequest): string {
  const args = [literal(r.url)];
  if (r.headers.length) {
    const pairs = r.headers.map(([n, v]) => `(${literal(n)}, ${literal(v)})`).join(", ");
    args.push(`additional_headers=[${pairs}]`);
  }
  if (r.protocols.length) args.push(`subprotocols=[${r.protocols.map(literal).join(", ")}]`);
  const lines = [
    "import asyncio",
    "",
    "from websockets.asyncio.client import connect",
    "",
    "",
    "async def main():",
    `    async with connect(${args.join(", ")}) as ws:`,
  ];
  if (r.message) lines.push(`        await ws.send(${literal(r.message)})`);
  lines.push("        async for message in ws:", "            print(message)", "", "");
  lines.push("asyncio.run(main())");
  return lines.join("\n");
}

/** The request as `target`'s command line or code. */
export function copyAs(target: CopyTarget, r: CopyRequest): string {
  switch (target) {
    case "wsdeck":
      return wsdeckCommand(r);
    case "websocat":
      return websocatCommand(r);
    case "wscat":
      return wscatCommand(r);
    case "browser":
      return browserCode(r);
    case "node":
      return nodeCode(r);
    case "python":
      return pythonCode(r);
  }
}
