import { describe, expect, it, vi } from "vitest";
import type { EventsPage, WsEvent } from "../types";
import { PageCache } from "./pageCache";

const ev = (seq: number): WsEvent => ({
  seq,
  time: "2026-11-24T03:20:01.123Z",
  monoMs: seq,
  type: "message",
  direction: "in",
  format: "text",
  size: 1,
  data: "x",
});

function pageOf(from: number, limit: number, end = Infinity): EventsPage {
  const events: WsEvent[] = [];
  for (let s = from; s < Math.min(from + limit, end); s++) events.push(ev(s));
  return { events, nextSeq: Math.min(from + limit, end), missed: 0, atEnd: false };
}

describe("PageCache", () => {
  it("fetches a missing page once, sharing the request", async () => {
    const fetch = vi.fn((from: number, limit: number) => Promise.resolve(pageOf(from, limit)));
    const c = new PageCache(fetch, { pageSize: 10, maxPages: 5 });
    expect(c.get(13)).toBe("loading");
    expect(c.get(17)).toBe("loading");
    await c.ensure(15);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(10, 10);
    expect((c.get(13) as WsEvent).seq).toBe(13);
  });

  it("evicts the least recently used page beyond maxPages", async () => {
    const fetch = vi.fn((from: number, limit: number) => Promise.resolve(pageOf(from, limit)));
    const c = new PageCache(fetch, { pageSize: 10, maxPages: 3 });
    await c.ensure(0);
    await c.ensure(10);
    await c.ensure(20);
    c.peek(0); // page 0 is now the most recent
    await c.ensure(30);
    expect(c.size).toBe(3);
    expect(c.has(0)).toBe(true);
    expect(c.has(10)).toBe(false);
    expect(c.has(30)).toBe(true);
  });

  it("does not evict pinned pages", () => {
    const c = new PageCache(() => Promise.reject(new Error("no")), { pageSize: 10, maxPages: 2 });
    c.ingest([ev(0)]);
    c.pin([5]);
    c.ingest([ev(10), ev(20), ev(30)]);
    expect(c.has(0)).toBe(true);
    expect(c.size).toBe(2);
  });

  it("fills tail pages from live batches without fetching", () => {
    const fetch = vi.fn(() => Promise.resolve(pageOf(0, 0)));
    const c = new PageCache(fetch, { pageSize: 10, maxPages: 10 });
    const changed = vi.fn();
    c.onChange(changed);
    c.ingest([ev(0), ev(1), ev(2), ev(11)]);
    expect((c.get(2) as WsEvent).seq).toBe(2);
    expect((c.get(11) as WsEvent).seq).toBe(11);
    expect(fetch).not.toHaveBeenCalled();
    expect(changed).toHaveBeenCalledTimes(1);
    expect(c.has(10)).toBe(true);
  });

  it("marks seqs the server no longer has as gone", async () => {
    const c = new PageCache(
      () =>
        Promise.resolve({ events: [ev(7), ev(8), ev(9)], nextSeq: 10, missed: 7, atEnd: false }),
      { pageSize: 10 },
    );
    await c.ensure(3);
    expect(c.get(3)).toBe("gone");
    expect((c.get(8) as WsEvent).seq).toBe(8);
  });

  it("drops answers that arrive after clear", async () => {
    let resolve: (p: EventsPage) => void = () => undefined;
    const c = new PageCache(() => new Promise((r) => (resolve = r)), { pageSize: 10 });
    const p = c.ensure(0);
    c.clear();
    resolve(pageOf(0, 10));
    await p;
    expect(c.size).toBe(0);
  });

  it("reports failed pages and retries later", async () => {
    const c = new PageCache(() => Promise.reject(new Error("boom")), { pageSize: 10 });
    await c.ensure(0);
    expect(c.peek(0)).toBe("error");
  });
});
