import { describe, expect, it } from "vitest";
import { RpcError } from "../rpc";
import type { HistorySession } from "../types";
import {
  MAX_AGE_DAYS,
  MAX_MIB,
  harFitsOneRequest,
  deletedSummary,
  exportFileName,
  fieldsFromRecorded,
  historyActionError,
  historyError,
  historySize,
  limitText,
  parseLimit,
  retentionSummary,
  hostPath,
  localTime,
  sessionDetails,
  sessionLabel,
  snippetParts,
} from "./convert";

function session(over: Partial<HistorySession> = {}): HistorySession {
  return {
    id: 12,
    startedAt: new Date(2026, 10, 24, 14, 2, 11).toISOString(),
    endedAt: new Date(2026, 10, 24, 14, 3, 0).toISOString(),
    url: "ws://127.0.0.1:9/echo",
    request: null,
    handshake: null,
    closeCode: 1000,
    closeReason: "bye",
    eventCount: 14,
    bytes: 300,
    ...over,
  };
}

describe("history list items", () => {
  const today = new Date(2026, 10, 24, 18, 0, 0);

  it("names a session by id, URL and local start time", () => {
    expect(sessionLabel(session(), today)).toBe("Session 12, ws://127.0.0.1:9/echo, 14:02:11");
  });

  it("adds the date for another day", () => {
    expect(localTime(session().startedAt, new Date(2026, 10, 25, 9))).toBe("2026-11-24 14:02:11");
  });

  it("describes events and the close code", () => {
    expect(sessionDetails(session())).toBe("14 events · closed 1000");
    expect(sessionDetails(session({ eventCount: 1, closeCode: null, endedAt: null }))).toBe(
      "1 event · not closed",
    );
    expect(sessionDetails(session({ eventCount: 1200, closeCode: null }))).toBe(
      "1,200 events · no close code",
    );
    expect(
      sessionDetails(session({ eventCount: 2, closeCode: null, request: { importedFrom: "har" } })),
    ).toBe("2 events · imported from HAR");
  });

  it("shows host and path", () => {
    expect(hostPath("ws://127.0.0.1:9/echo?x=1#f")).toBe("127.0.0.1:9/echo?x=1");
    expect(hostPath("wss://example.com/")).toBe("example.com");
    expect(hostPath("not a url")).toBe("not a url");
  });
});

describe("snippetParts", () => {
  it("turns «» into marks", () => {
    expect(snippetParts("…request «timeout» after «5000» ms…")).toEqual([
      { text: "…request ", mark: false },
      { text: "timeout", mark: true },
      { text: " after ", mark: false },
      { text: "5000", mark: true },
      { text: " ms…", mark: false },
    ]);
  });

  it("keeps unbalanced marks as text", () => {
    expect(snippetParts("a » b")).toEqual([{ text: "a » b", mark: false }]);
    expect(snippetParts("«open")).toEqual([{ text: "open", mark: true }]);
    expect(snippetParts("")).toEqual([]);
  });
});

describe("fieldsFromRecorded", () => {
  it("fills a tab from the request as sent", () => {
    const f = fieldsFromRecorded(
      {
        url: "ws://h/x",
        params: [["a", "1"]],
        headers: [["X-Token", "****"]],
        protocols: ["chat"],
        settings: { handshakeTimeoutMs: 5000, autoPong: false, tls: { verify: false } },
      },
      "ws://fallback",
    );
    expect(f.url).toBe("ws://h/x");
    expect(f.params).toEqual([{ key: "a", value: "1", enabled: true }]);
    expect(f.headers).toEqual([{ key: "X-Token", value: "****", enabled: true }]);
    expect(f.protocols).toEqual(["chat"]);
    expect(f.settings.handshakeTimeoutMs).toBe("5000");
    expect(f.settings.autoPong).toBe(false);
    expect(f.settings.verifyTls).toBe(false);
  });

  it("falls back to the session URL", () => {
    const f = fieldsFromRecorded(null, "ws://fallback/");
    expect(f.url).toBe("ws://fallback/");
    expect(f.headers).toEqual([]);
  });
});

describe("historyError", () => {
  it("words errors for people", () => {
    expect(
      historyError(new RpcError({ code: -32602, message: 'fts5: syntax error near "("' })),
    ).toBe('That search is not valid: fts5: syntax error near "(".');
    expect(historyError(new RpcError({ code: 4100, message: "Permission denied" }))).toMatch(
      /not available/,
    );
    expect(exportFileName(3, "har")).toBe("wsdeck-session-3.har");
  });
});

describe("sizes and retention", () => {
  it("says what the history holds and what a deletion removed", () => {
    expect(historySize({ sessions: 3, events: 1200, bytes: 2048 })).toBe(
      "3 sessions · 1,200 events · 2 KiB",
    );
    expect(historySize({ sessions: 1, events: 1, bytes: 1 })).toBe("1 session · 1 event · 1 B");
    expect(deletedSummary({ sessions: [4, 5, 6], bytes: 1.2 * 1024 * 1024 })).toBe(
      "Deleted 3 sessions (1.2 MiB).",
    );
    expect(deletedSummary({ sessions: 1, bytes: 10 })).toBe("Deleted 1 session (10 B).");
    expect(deletedSummary({ sessions: [], bytes: 0 })).toBe("Nothing to delete.");
  });

  it("says the limits in words", () => {
    expect(retentionSummary({ maxAgeDays: null, maxMib: null })).toBe(
      "No limits: nothing is deleted automatically.",
    );
    expect(retentionSummary({ maxAgeDays: 30, maxMib: null })).toBe(
      "Sessions older than 30 days are deleted.",
    );
    expect(retentionSummary({ maxAgeDays: 1, maxMib: 100 })).toBe(
      "Sessions older than 1 day are deleted; the oldest sessions are deleted beyond 100 MiB.",
    );
    expect(retentionSummary({ maxAgeDays: null, maxMib: 2048 })).toBe(
      "The oldest sessions are deleted beyond 2,048 MiB.",
    );
  });

  it("parses a limit field: empty is no limit, else a whole number from 1", () => {
    expect(parseLimit("", "days", MAX_AGE_DAYS)).toEqual({ ok: true, value: null });
    expect(parseLimit("   ", "days", MAX_AGE_DAYS)).toEqual({ ok: true, value: null });
    expect(parseLimit(" 30 ", "days", MAX_AGE_DAYS)).toEqual({ ok: true, value: 30 });
    expect(parseLimit("1", "MiB", MAX_MIB)).toEqual({ ok: true, value: 1 });
    expect(parseLimit("1,024", "MiB", MAX_MIB)).toEqual({ ok: true, value: 1024 });
    expect(parseLimit(String(MAX_MIB), "MiB", MAX_MIB)).toEqual({ ok: true, value: MAX_MIB });
  });

  it("refuses anything else with a message saying what is expected", () => {
    const bad = (text: string) => {
      const r = parseLimit(text, "days", MAX_AGE_DAYS);
      if (r.ok) throw new Error(`${text} was accepted`);
      return r.error;
    };
    const hint = "Enter a whole number of days from 1 to 36,500, or leave it empty for no limit.";
    expect(bad("0")).toBe(`The limit must be at least 1. ${hint}`);
    expect(bad("-3")).toBe(`The limit must be at least 1. ${hint}`);
    expect(bad("abc")).toBe(`"abc" is not a whole number. ${hint}`);
    expect(bad("1.5")).toBe(`"1.5" is not a whole number. ${hint}`);
    expect(bad("1e3")).toBe(`"1e3" is not a whole number. ${hint}`);
    expect(bad("36501")).toBe(`36501 is too large. ${hint}`);
    expect(parseLimit("0", "MiB", MAX_MIB)).toEqual({
      ok: false,
      error:
        "The limit must be at least 1. Enter a whole number of MiB from 1 to 1,048,576, or leave it empty for no limit.",
    });
  });

  it("shows a limit as a field's text", () => {
    expect(limitText(null)).toBe("");
    expect(limitText(undefined)).toBe("");
    expect(limitText(30)).toBe("30");
  });

  it("says an action's error as the API's sentence", () => {
    const still = new RpcError({
      code: -32602,
      message: "session 7 is still being recorded; close its connection first, then delete it",
    });
    expect(historyActionError(still)).toBe(
      "Session 7 is still being recorded; close its connection first, then delete it.",
    );
    const wire = new RpcError({
      code: -32602,
      message:
        "Invalid params: at `ids`: session 7 is still being recorded; close its connection first, then delete it.",
      data: {
        path: "ids",
        reason: "session 7 is still being recorded; close its connection first, then delete it",
      },
    });
    expect(historyActionError(wire)).toBe(
      "Session 7 is still being recorded; close its connection first, then delete it.",
    );
    const limit = new RpcError({
      code: -32602,
      message: "Invalid params: at `maxMib`: must be ≥ 1.",
      data: { path: "maxMib", reason: "must be ≥ 1" },
    });
    expect(historyActionError(limit)).toBe("Must be ≥ 1.");
    expect(historyActionError(new RpcError({ code: -32602, message: "" }))).toBe(
      "The request was not valid.",
    );
    expect(historyActionError(new RpcError({ code: -32001, message: "Resource not found." }))).toBe(
      "That recorded session no longer exists.",
    );
    expect(historyActionError(new Error("connection lost"))).toBe("connection lost");
  });
});

describe("HAR import size", () => {
  it("fits one request while the escaped text stays under the limit", () => {
    const limit = 1 << 20;
    expect(harFitsOneRequest('{"log": {"entries": []}}')).toBe(true);
    // Quotes double when escaped: 600 KiB of them do not fit in 1 MiB.
    expect(harFitsOneRequest('"'.repeat(600 * 1024), limit)).toBe(false);
    expect(harFitsOneRequest("a".repeat(limit), limit)).toBe(false);
    expect(harFitsOneRequest("a".repeat(limit - 1024), limit)).toBe(true);
  });
});
