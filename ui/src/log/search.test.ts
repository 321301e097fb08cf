import { describe, expect, it, vi } from "vitest";
import type { SearchResult } from "../types";
import {
  EMPTY_FILTER,
  SearchRunner,
  type LogSearchParams,
  filterActive,
  findAll,
  searchParams,
} from "./search";

describe("filter → search params", () => {
  it("is inactive with no text and all types", () => {
    expect(filterActive(EMPTY_FILTER)).toBe(false);
    expect(searchParams(EMPTY_FILTER, "s", 0)).toBeNull();
  });
  it("maps text, case, regex and all kinds", () => {
    expect(
      searchParams({ text: "a.b", caseSensitive: true, regex: true, type: "all" }, "s", 5, 100),
    ).toEqual({
      id: "s",
      from: 5,
      limit: 100,
      text: "a.b",
      caseSensitive: true,
      regex: true,
      kinds: ["in", "out", "control", "connection"],
    });
  });
  it("maps message types without text", () => {
    const p = searchParams({ ...EMPTY_FILTER, type: "control" }, "s", 0);
    expect(p?.kinds).toEqual(["control"]);
    expect(p && "text" in p).toBe(false);
    expect(searchParams({ ...EMPTY_FILTER, type: "in" }, "s", 0)?.kinds).toEqual(["in"]);
    expect(searchParams({ ...EMPTY_FILTER, type: "out" }, "s", 0)?.kinds).toEqual(["out"]);
  });
});

describe("SearchRunner", () => {
  it("scans to the end, then continues on new events", async () => {
    const answers: SearchResult[] = [
      { seqs: [1, 3], nextSeq: 100, atEnd: false },
      { seqs: [150], nextSeq: 200, atEnd: true },
      { seqs: [210], nextSeq: 220, atEnd: true },
    ];
    const calls: LogSearchParams[] = [];
    const r = new SearchRunner((p) => {
      calls.push(p);
      return Promise.resolve(answers.shift() as SearchResult);
    });
    r.start({ id: "s", from: 0, text: "x" });
    await vi.waitFor(() => expect(r.scanning).toBe(false));
    expect(r.seqs).toEqual([1, 3, 150]);
    expect(r.caughtUp).toBe(true);
    expect(calls.map((c) => c.from)).toEqual([0, 100]);
    r.more();
    await vi.waitFor(() => expect(r.seqs).toEqual([1, 3, 150, 210]));
    expect(calls[2]?.from).toBe(200);
  });
  it("reports the API error (bad regex)", async () => {
    const r = new SearchRunner(() =>
      Promise.reject(new Error("Invalid params: at `text`: regex parse error")),
    );
    r.start({ id: "s", text: "(", regex: true });
    await vi.waitFor(() => expect(r.error).toMatch(/regex parse error/));
    expect(r.scanning).toBe(false);
  });
  it("drops results of an abandoned scan", async () => {
    let resolve: (v: SearchResult) => void = () => undefined;
    const r = new SearchRunner(() => new Promise((res) => (resolve = res)));
    r.start({ id: "s", text: "a" });
    r.start(null);
    resolve({ seqs: [1], nextSeq: 2, atEnd: true });
    await Promise.resolve();
    expect(r.seqs).toEqual([]);
    expect(r.active).toBe(false);
  });
});

describe("findAll", () => {
  it("finds case-insensitive ranges", () => {
    expect(findAll("Abc abc", "ABC")).toEqual([
      [0, 3],
      [4, 7],
    ]);
    expect(findAll("abc", "")).toEqual([]);
  });
});
