import { describe, expect, it } from "vitest";
import { parseQuery, rowsFromUrl, splitUrl, urlFromRows, type KeyValueRow } from "./params";

const on = (key: string, value: string): KeyValueRow => ({ key, value, enabled: true });
const off = (key: string, value: string): KeyValueRow => ({ key, value, enabled: false });

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
});
