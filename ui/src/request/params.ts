// The Params tab and the URL's query, kept in step both ways. `{{variables}}` are never
// touched (wsdeck resolves them). Rows hold the text as the user means it: characters that
// would break the query (`&`, `=`, `#`, `+`, space, a `%` that is not an escape) are
// percent-encoded when rows are written into the URL and decoded when it is read back;
// other `%XX` escapes stay as typed, so pre-encoded values pass through unchanged.

import { findVariables } from "../editor/variables";

export interface KeyValueRow {
  key: string;
  value: string;
  enabled: boolean;
}

/**
 * The URL with `ws://` in front when it has no scheme (`127.0.0.1:9001/echo`), as Postman
 * does on Connect. A URL starting with a `{{variable}}` (which may hold the scheme) or with a
 * scheme-like prefix, even a mistyped one (`ws:/x`, `http:x`), is left for wsdeck to judge.
 */
export function withScheme(url: string): string {
  const t = url.trim();
  if (t === "" || t.startsWith("{{")) return url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) return url;
  if (/^(wss?|https?):/i.test(t)) return url;
  return `ws://${t.replace(/^\/+/, "")}`;
}

/** Splits a URL into what comes before the query, the query (without `?`) and the fragment. */
export function splitUrl(url: string): { base: string; query: string | null; hash: string } {
  const hashAt = url.indexOf("#");
  const beforeHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const hash = hashAt >= 0 ? url.slice(hashAt) : "";
  const q = beforeHash.indexOf("?");
  if (q < 0) return { base: beforeHash, query: null, hash };
  return { base: beforeHash.slice(0, q), query: beforeHash.slice(q + 1), hash };
}

/** The escapes this module writes, and reads back. */
const SPECIAL: Record<string, string> = {
  "%": "%25",
  "&": "%26",
  "=": "%3D",
  "#": "%23",
  "+": "%2B",
  " ": "%20",
};
const DECODED: Record<string, string> = Object.fromEntries(
  Object.entries(SPECIAL).map(([c, e]) => [e.slice(1), c]),
);

/** Applies `f` to the text outside `{{variable}}` references. */
function outsideVariables(text: string, f: (part: string) => string): string {
  let out = "";
  let last = 0;
  for (const span of findVariables(text)) {
    out += f(text.slice(last, span.from)) + text.slice(span.from, span.to);
    last = span.to;
  }
  return out + f(text.slice(last));
}

/**
 * A key or value as written into the query. A `%` stays when it starts an escape this module
 * does not read back (e.g. `%41`), else it becomes `%25`, so decoding gives the text back.
 */
export function encodeQueryPart(text: string): string {
  return outsideVariables(text, (part) =>
    part.replace(/%([0-9a-fA-F]{2})?|[&=#+ ]/g, (m, hex: string | undefined) => {
      if (m[0] === "%" && hex !== undefined && !(hex.toUpperCase() in DECODED)) return m;
      if (m[0] === "%") return "%25" + (hex ?? "");
      return SPECIAL[m] ?? m;
    }),
  );
}

/** The inverse of `encodeQueryPart`: only the escapes it writes are decoded. */
export function decodeQueryPart(text: string): string {
  return outsideVariables(text, (part) =>
    part.replace(/%([0-9a-fA-F]{2})/g, (m, hex: string) => DECODED[hex.toUpperCase()] ?? m),
  );
}

/** The query's pairs, decoded, in order (`a` alone is `a` with an empty value). */
export function parseQuery(query: string | null): { key: string; value: string }[] {
  if (query === null || query === "") return [];
  return query
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0
        ? { key: decodeQueryPart(part), value: "" }
        : { key: decodeQueryPart(part.slice(0, eq)), value: decodeQueryPart(part.slice(eq + 1)) };
    });
}

/** The rows after the user edited the URL: enabled rows follow the query, disabled ones stay. */
export function rowsFromUrl(url: string, previous: KeyValueRow[]): KeyValueRow[] {
  const pairs = parseQuery(splitUrl(url).query);
  const rows: KeyValueRow[] = [];
  let next = 0;
  for (const row of previous) {
    if (!row.enabled) rows.push(row);
    else if (row.key === "" && row.value === "") rows.push(row);
    else if (next < pairs.length) {
      const pair = pairs[next++];
      if (pair) rows.push({ key: pair.key, value: pair.value, enabled: true });
    }
  }
  for (; next < pairs.length; next++) {
    const pair = pairs[next];
    if (pair) rows.push({ key: pair.key, value: pair.value, enabled: true });
  }
  return rows;
}

/** The URL after the user edited the rows: its query is the enabled, non-empty rows. */
export function urlFromRows(url: string, rows: KeyValueRow[]): string {
  const { base, hash } = splitUrl(url);
  const query = rows
    .filter((r) => r.enabled && (r.key !== "" || r.value !== ""))
    .map((r) =>
      r.value === ""
        ? encodeQueryPart(r.key)
        : `${encodeQueryPart(r.key)}=${encodeQueryPart(r.value)}`,
    )
    .join("&");
  return base + (query ? `?${query}` : "") + hash;
}
