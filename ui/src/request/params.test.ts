import { describe, expect, it } from "vitest";
import {
  decodeQueryPart,
  encodeQueryPart,
  parseQuery,
  rowsFromUrl,
  splitUrl,
  urlFromRows,
  withScheme,
  type KeyValueRow,
} from "./params";

const on = (key: string, value: string): KeyValueRow => ({ key, value, enabled: true });
const off = (key: string, value: string): KeyValueRow => ({ key, value, enabled: false });

describe("withScheme", () => {
  it("puts ws:// in front of a URL without a scheme, like Postman", () => {
    expect(withScheme("127.0.0.1:9001/echo")).toBe("ws://127.0.0.1:9001/echo");
    expect(withScheme("localhost:9001")).toBe("ws://localhost:9001");
    expect(withScheme("example.test/socket?x=1")).toBe("ws://example.test/socket?x=1");
    expect(withScheme("//host/x")).toBe("ws://host/x");
  });
  it("leaves schemes, variables, mistyped schemes and blanks to wsdeck", () => {
    for (const url of ["ws://h/", "WSS://h/", "http://h/", "{{base}}/echo", "ws:/h", "https:h", ""])
      expect(withScheme(url)).toBe(url);
  });
});

describe("params ↔ URL", () => {
  it("splits a URL", () => {
    expect(splitUrl("ws://h/p?a=1&b#f")).toEqual({ base: "ws://h/p", query: "a=1&b", hash: "#f" });
    expect(splitUrl("ws://h/p")).toEqual({ base: "ws://h/p", query: null, hash: "" });
  });
  it("parses a query as written", () => {
    expect(parseQuery("a=1&b&c=x=y&&t={{token}}")).toEqual([
      { key: "a", value: "1" },
      { key: "b", value: "" },
      { key: "c", value: "x=y" },
      { key: "t", value: "{{token}}" },
    ]);
    expect(parseQuery(null)).toEqual([]);
  });
  it("updates rows from the URL and keeps disabled rows in place", () => {
    const previous = [on("a", "1"), off("x", "9"), on("b", "2")];
    expect(rowsFromUrl("ws://h/?a=5&b=6&c", previous)).toEqual([
      on("a", "5"),
      off("x", "9"),
      on("b", "6"),
      on("c", ""),
    ]);
    expect(rowsFromUrl("ws://h/", previous)).toEqual([off("x", "9")]);
  });
  it("keeps a blank row being typed into", () => {
    expect(rowsFromUrl("ws://h/?a=1", [on("a", "1"), on("", "")])).toEqual([
      on("a", "1"),
      on("", ""),
    ]);
  });
  it("writes enabled rows into the URL", () => {
    expect(urlFromRows("ws://h/p?old=1#f", [on("a", "1"), off("x", "9"), on("b", "")])).toBe(
      "ws://h/p?a=1&b#f",
    );
    expect(urlFromRows("ws://h/p?old=1", [off("x", "9"), on("", "")])).toBe("ws://h/p");
  });
  it("round-trips", () => {
    const url = "wss://{{host}}/s?a=1&b=%20&c";
    expect(urlFromRows(url, rowsFromUrl(url, []))).toBe(url);
  });
  it("percent-encodes what would break the query, keeping {{variables}}", () => {
    expect(urlFromRows("ws://h/p", [on("q", "a b&c=ü")])).toBe("ws://h/p?q=a%20b%26c%3Dü");
    expect(encodeQueryPart("1+1#x 100%")).toBe("1%2B1%23x%20100%25");
    expect(encodeQueryPart("{{a&b}}&{{tok}}")).toBe("{{a&b}}%26{{tok}}");
    expect(encodeQueryPart("%41%26%zz")).toBe("%41%2526%25zz");
    expect(decodeQueryPart("%41%2526%25zz%2b")).toBe("%41%26%zz+");
  });
  it("round-trips rows through the URL", () => {
    const rows = [
      on("q", "a b&c=ü"),
      on("k=1&", "#frag+%"),
      on("t", "{{token}}&{{ x }}"),
      on("pre", "%41%26"),
      on("flag", ""),
    ];
    const url = urlFromRows("wss://{{host}}/s#h", rows);
    expect(splitUrl(url).hash).toBe("#h");
    expect(rowsFromUrl(url, [])).toEqual(rows);
    expect(parseQuery(splitUrl(url).query)).toHaveLength(rows.length);
  });
});
