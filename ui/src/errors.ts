// Errors from wsdeck in words for people. An invalid-params error (-32602) carries its place
// and its reason in `data {path, reason}`: the page words it from there (the field as the user
// knows it), and never takes the server's message apart.

import { RpcError } from "./rpc";

/** Where in the params an invalid-params error is, and what is wrong there. */
export interface ParamsProblem {
  /** The params path, dotted or indexed: `url`, `headers.0`, `headers[0]`, `settings.tls`. */
  path: string;
  reason: string;
}

/** The place and reason of an invalid-params error, or null for any other error. */
export function paramsProblem(e: unknown): ParamsProblem | null {
  if (!(e instanceof RpcError) || e.code !== -32602) return null;
  const data = e.data as { path?: unknown; reason?: unknown } | null | undefined;
  if (typeof data?.path !== "string" || typeof data.reason !== "string") return null;
  return { path: data.path, reason: data.reason };
}

/** A reason as the sentence wsdeck's message ends it (with a full stop). */
function asSentence(reason: string): string {
  const trimmed = reason.trim();
  return [".", "!", "?"].some((end) => trimmed.endsWith(end)) ? trimmed : `${trimmed}.`;
}

/** What went wrong, in wsdeck's words: an invalid-params error's reason (its place is in
 *  `data.path`), any other error's message. */
export function errorReason(e: unknown): string {
  const problem = paramsProblem(e);
  if (problem) return asSentence(problem.reason);
  return e instanceof Error ? e.message : String(e);
}

/** `text` with a capital first letter. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `text` as a sentence on its own: a capital first letter and a full stop. */
export function sentence(text: string): string {
  return capitalized(asSentence(text));
}

/** `text` without a full stop at its end (to go on after it). */
export function withoutFullStop(text: string): string {
  return text.endsWith(".") ? text.slice(0, -1) : text;
}

/** The element of `list` a path names (`headers.1`, `headers[1]`), counted from 1. */
function elementOf(path: string, list: string): number | null {
  for (const open of [".", "["]) {
    if (!path.startsWith(`${list}${open}`)) continue;
    let digits = "";
    for (const c of path.slice(list.length + 1)) {
      if (c < "0" || c > "9") break;
      digits += c;
    }
    if (digits !== "") return Number(digits) + 1;
  }
  return null;
}

/** A params path as the field the user typed into. */
function fieldName(path: string): string {
  if (path === "url") return "the URL";
  if (path === "params") return "the request";
  for (const [list, name] of [
    ["headers", "header"],
    ["params", "param"],
    ["protocols", "protocol"],
  ] as const) {
    const n = elementOf(path, list);
    if (n !== null) return `${name} ${n}`;
  }
  if (path.startsWith("settings")) return "the settings";
  if (path === "text" || path === "binary" || path === "hex" || path === "base64") {
    return "the message";
  }
  if (path === "code") return "the close code";
  if (path === "reason") return "the close reason";
  if (path === "data") return "the control payload";
  return `\`${path}\``;
}

/** An error about a request the user built (URL, headers, message, close code…):
 *  "In the URL: line 1, column 34: undefined variable `nope`." Other errors: their message,
 *  as a sentence. */
export function requestError(e: unknown): string {
  const problem = paramsProblem(e);
  if (!problem) return capitalized(errorReason(e));
  let reason = problem.reason;
  // Variable errors name their field themselves ("url, line 1, …"): once is enough.
  if (reason.startsWith(`${problem.path}, `)) reason = reason.slice(problem.path.length + 2);
  return `In ${fieldName(problem.path)}: ${asSentence(reason)}`;
}

/** A failed workspace call as a sentence (an invalid-params error: its reason). The
 *  workspace's own codes are worded here: a file changed on disk (-32009), something deleted
 *  on disk (-32001), a write that failed (-32603 with its `data.reason`). */
export function workspaceError(e: unknown): string {
  let text = errorReason(e);
  if (e instanceof RpcError) {
    const data = e.data as Record<string, unknown> | undefined;
    if (e.code === -32009) {
      const path = typeof data?.path === "string" ? ` (${data.path.split(/[\\/]/).pop()})` : "";
      text = `The file changed on disk since it was loaded${path}. Overwrite it with this version, or reload it from disk.`;
    } else if (e.code === -32001 && data && typeof data.kind === "string") {
      text = `That ${data.kind} no longer exists (it may have been deleted on disk).`;
    } else if (e.code === -32603 && data && typeof data.reason === "string") {
      text = `${withoutFullStop(text)}: ${data.reason}`;
    }
  }
  return capitalized(text);
}

/** Whether the caller may not use this method (no grant, 4100, or no such method, -32601):
 *  the page then goes on without that feature rather than showing an error. */
export function isNoPermission(e: unknown): boolean {
  return e instanceof RpcError && (e.code === 4100 || e.code === -32601);
}
