// The Params tab and the URL's query, kept in step both ways. The query is kept as written
// (no percent-encoding or decoding) so `{{variables}}` survive; wsdeck resolves them.

export interface KeyValueRow {
  key: string;
  value: string;
  enabled: boolean;
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

/** The query's pairs, in order (`a` alone is `a` with an empty value). */
export function parseQuery(query: string | null): { key: string; value: string }[] {
  if (query === null || query === "") return [];
  return query
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0
        ? { key: part, value: "" }
        : { key: part.slice(0, eq), value: part.slice(eq + 1) };
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
    .map((r) => (r.value === "" ? r.key : `${r.key}=${r.value}`))
    .join("&");
  return base + (query ? `?${query}` : "") + hash;
}
