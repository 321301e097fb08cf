import { describe, expect, it } from "vitest";
import { RpcError } from "../rpc";
import type { HistorySession } from "../types";
import {
  exportFileName,
  fieldsFromRecorded,
  historyError,
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
  });

  it("shows host and path", () => {
    expect(hostPath("ws://127.0.0.1:9/echo?x=1")).toBe("127.0.0.1:9/echo");
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
