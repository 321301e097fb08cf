import { describe, expect, it } from "vitest";
import { LogController } from "../log/controller";
import { HISTORY_METHODS, LIVE_METHODS, indexOfSeq, logMethods } from "../log/source";
import type { Rpc } from "../rpc";
import { TabSession } from "../session";
import type { HistorySession, WsEvent } from "../types";
import {
  MAX_CONNECTION_EVENTS,
  RecordedSession,
  headerPairs,
  loadConnectionEvents,
  normalizeHandshake,
  recordedTotal,
  runs,
} from "./recorded";

const ev = (seq: number, type: "open" | "message" | "closed"): WsEvent =>
  type === "message"
    ? { seq, time: "", monoMs: seq, type, direction: "in", format: "text", data: "x", size: 1 }
    : type === "open"
      ? { seq, time: "", monoMs: seq, type, url: "ws://h", protocol: null, extensions: [] }
      : {
          seq,
          time: "",
          monoMs: seq,
          type,
          code: 1000,
          reason: "",
          clean: true,
          initiator: "local",
        };

const summary: HistorySession = {
  id: 7,
  startedAt: "2026-11-24T10:00:00.000Z",
  endedAt: null,
  url: "ws://h",
  request: null,
  handshake: null,
  closeCode: null,
  closeReason: null,
  eventCount: 25_000,
  bytes: 0,
};

describe("RecordedSession paging", () => {
  it("groups runs of seqs", () => {
    expect(runs([0, 1, 2, 5, 9, 10])).toEqual([
      [0, 3],
      [5, 1],
      [9, 2],
    ]);
    expect(runs([])).toEqual([]);
  });

  it("finds connection events page by page, then fetches them without payloads", async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const call = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
      calls.push([method, params]);
      if (method === "wsdeck.history.filter") {
        const from = params.from as number;
        return (
          from === 0
            ? { seqs: [0, 1], nextSeq: 10_000, atEnd: false }
            : { seqs: [24_999], nextSeq: 25_000, atEnd: true }
        ) as T;
      }
      const from = params.from as number;
      const limit = params.limit as number;
      const events = [];
      for (let s = from; s < from + limit; s++) events.push(ev(s, s === 0 ? "open" : "closed"));
      return { events, nextSeq: from + limit, missed: 0, atEnd: false } as T;
    };
    const events = await loadConnectionEvents(call, 7);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 24_999]);
    expect(calls.map((c) => c[0])).toEqual([
      "wsdeck.history.filter",
      "wsdeck.history.filter",
      "wsdeck.history.events",
      "wsdeck.history.events",
    ]);
    expect(calls[0]?.[1]).toMatchObject({ id: 7, from: 0, kinds: ["connection"] });
    expect(calls[1]?.[1]).toMatchObject({ from: 10_000 });
    expect(calls[2]?.[1]).toEqual({ id: 7, from: 0, limit: 2, maxData: 0 });
    expect(calls[3]?.[1]).toEqual({ id: 7, from: 24_999, limit: 1, maxData: 0 });
  });

  it("total is the event count (or past the last known event)", () => {
    expect(recordedTotal(10, [])).toBe(10);
    expect(recordedTotal(3, [ev(5, "closed")])).toBe(6);
    expect(recordedTotal(-1, [])).toBe(0);
  });

  it("reads the record and is closed, read-only", async () => {
    const rpc = {
      call: async (method: string, params: Record<string, unknown>) => {
        if (method === "wsdeck.history.session") return { ...summary, eventCount: 30 };
        if (method === "wsdeck.history.filter") return { seqs: [0, 29], nextSeq: 30, atEnd: true };
        const from = params.from as number;
        return { events: [ev(from, from === 0 ? "open" : "closed")], nextSeq: from + 1 };
      },
    } as unknown as Rpc;
    const s = new RecordedSession(rpc, summary);
    expect(s.total.value).toBe(25_000);
    expect(s.sessionId.value).toBe(7);
    expect(s.state.value).toBe("closed");
    await s.load();
    expect(s.total.value).toBe(30);
    expect(s.connectionEvents.value.map((e) => e.type)).toEqual(["open", "closed"]);
    expect(s.error.value).toBe("");
    expect(s.notice.value).toBe("");
    let fired = false;
    s.onEvents(() => (fired = true))();
    expect(fired).toBe(false);
  });

  it("says when the console holds only the first connection events", async () => {
    const rpc = {
      call: async (method: string, params: Record<string, unknown>) => {
        if (method === "wsdeck.history.session") return { ...summary, eventCount: 20_000 };
        if (method === "wsdeck.history.filter") {
          // Every event is a connection event (a server that keeps refusing, reconnected).
          const from = params.from as number;
          const seqs = Array.from({ length: 10_000 }, (_, i) => from + i);
          return { seqs, nextSeq: from + 10_000, atEnd: from + 10_000 >= 20_000 };
        }
        const from = params.from as number;
        const limit = params.limit as number;
        const events = Array.from({ length: limit }, (_, i) => ev(from + i, "closed"));
        return { events, nextSeq: from + limit };
      },
    } as unknown as Rpc;
    const s = new RecordedSession(rpc, summary);
    await s.load();
    expect(s.connectionEvents.value).toHaveLength(MAX_CONNECTION_EVENTS);
    expect(s.notice.value).toMatch(/first 5,000 connection events/);
    expect(s.total.value).toBe(20_000);
  });

  it("reads recorded headers as pairs and skips anything else", () => {
    expect(headerPairs([["Host", "h"], { name: "x" }, ["A", "b"]])).toEqual([
      ["Host", "h"],
      ["A", "b"],
    ]);
    expect(headerPairs(null)).toEqual([]);
    const h = normalizeHandshake({
      url: "ws://h",
      remoteAddr: "",
      request: { startLine: "GET / HTTP/1.1", headers: [["Host", "h"]] },
      response: { startLine: "HTTP/1.1 101", headers: [] },
      protocol: null,
      extensions: [],
      tls: null,
      timings: { dnsMs: 0, connectMs: 0, tlsMs: 0, upgradeMs: 0, totalMs: 0 },
    } as never);
    expect(h?.request.headers).toEqual([["Host", "h"]]);
  });
});

describe("filter method selection", () => {
  it("live sessions use wsdeck.events / wsdeck.search, recorded ones the history", () => {
    const rpc = {
      call: async () => null,
      on: () => () => undefined,
      status: { subscribe: () => () => undefined },
    } as unknown as Rpc;
    expect(logMethods(new TabSession(rpc))).toEqual(LIVE_METHODS);
    expect(logMethods(new RecordedSession(rpc, summary))).toEqual(HISTORY_METHODS);
  });

  it("the log pages and filters a recorded session with its numeric id", async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const rpc = {
      call: async (method: string, params: Record<string, unknown>) => {
        calls.push([method, params]);
        if (method === "wsdeck.history.filter") return { seqs: [3], nextSeq: 10, atEnd: true };
        return { events: [ev(3, "message")], nextSeq: 4, missed: 0, atEnd: false };
      },
    } as unknown as Rpc;
    const ctl = new LogController(rpc, new RecordedSession(rpc, summary));
    ctl.search.start({ id: 7, from: 0, kinds: ["in"] });
    await ctl.full({ ...ev(3, "message"), truncated: true } as WsEvent);
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.map((c) => c[0]).sort()).toEqual([
      "wsdeck.history.events",
      "wsdeck.history.filter",
    ]);
    expect(calls.find((c) => c[0] === "wsdeck.history.events")?.[1]).toMatchObject({
      id: 7,
      from: 3,
    });
    expect(ctl.search.seqs).toEqual([3]);
  });

  it("finds a seq's row", () => {
    expect(indexOfSeq(5, null, 2, 10)).toBe(3);
    expect(indexOfSeq(1, null, 2, 10)).toBeNull();
    expect(indexOfSeq(12, null, 2, 10)).toBeNull();
    expect(indexOfSeq(9, [1, 4, 9, 20], 0, 4)).toBe(2);
    expect(indexOfSeq(5, [1, 4, 9, 20], 0, 4)).toBeNull();
  });
});
