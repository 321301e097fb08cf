import { describe, expect, it } from "vitest";
import type { WsEvent } from "../types";
import {
  consoleLine,
  describeConnection,
  escapeControl,
  jsonTokens,
  selectionText,
  formatBytes,
  formatRate,
  formatTime,
  formatTimeDiff,
  openLine,
  previewText,
  stateLabel,
} from "./format";

const base = { seq: 1, time: "2026-11-24T03:20:01.123Z", monoMs: 10 };

describe("preview text", () => {
  it("escapes control characters", () => {
    expect(escapeControl("a\nb\tc\r\u0000\u001b")).toBe("a\\nb\\tc\\r\\x00\\x1b");
  });
  it("shows text on one line", () => {
    const e: WsEvent = {
      ...base,
      type: "message",
      direction: "in",
      format: "text",
      size: 7,
      data: "hi\nthere",
    };
    expect(previewText(e)).toBe("hi\\nthere");
  });
  it("marks cut text", () => {
    const e: WsEvent = {
      ...base,
      type: "message",
      direction: "in",
      format: "text",
      size: 9000,
      data: "abc",
      truncated: true,
    };
    expect(previewText(e)).toBe("abc…");
  });
  it("shows binary as size and first bytes in hex", () => {
    const e: WsEvent = {
      ...base,
      type: "message",
      direction: "out",
      format: "binary",
      size: 4,
      data: "AAEC/w==",
    };
    expect(previewText(e)).toBe("Binary, 4 bytes: 00 01 02 ff");
    const big: WsEvent = {
      ...base,
      type: "message",
      direction: "out",
      format: "binary",
      size: 1000,
      data: btoa(String.fromCharCode(...Array.from({ length: 40 }, (_, i) => i))),
    };
    expect(previewText(big)).toBe(
      "Binary, 1,000 bytes: 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f …",
    );
  });
  it("words connection events", () => {
    const e: WsEvent = { ...base, type: "connecting", url: "ws://127.0.0.1:9001/echo", attempt: 0 };
    expect(previewText(e)).toBe("Connecting to ws://127.0.0.1:9001/echo");
  });
});

describe("time", () => {
  it("formats local time with milliseconds", () => {
    const d = new Date(2026, 10, 24, 4, 5, 6, 7);
    expect(formatTime(d.toISOString())).toBe("04:05:06.007");
  });
  it("formats differences", () => {
    expect(formatTimeDiff(10, 22.5)).toBe("12.5 ms");
    expect(formatTimeDiff(22.5, 10)).toBe("12.5 ms");
    expect(formatTimeDiff(0, 1500)).toBe("1,500 ms (1.5 s)");
    expect(formatTimeDiff(0, 0.1234)).toBe("0.123 ms");
  });
});

describe("rates and sizes", () => {
  it("formats bytes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2458)).toBe("2.4 KiB");
    expect(formatBytes(245 * 1024)).toBe("245 KiB");
    expect(formatBytes(3.4 * 1024 ** 3)).toBe("3.4 GiB");
    expect(formatBytes(-5)).toBe("0 B");
    expect(formatBytes(Number.NaN)).toBe("0 B");
  });
  it("formats the rate line", () => {
    expect(formatRate(1234, 245 * 1024)).toBe("1,234 msg/s · 245 KiB/s");
    expect(formatRate(0, 0)).toBe("0 msg/s · 0 B/s");
  });
});

describe("console wording", () => {
  it("words each event type", () => {
    expect(consoleLine({ ...base, type: "connecting", url: "ws://a/", attempt: 0 })).toBe(
      "Connecting to ws://a/",
    );
    expect(
      consoleLine({
        ...base,
        type: "redirect",
        status: 301,
        from: "ws://a/",
        to: "ws://b/",
        hop: 1,
        droppedHeaders: [],
      }),
    ).toBe("Redirected 301 → ws://b/");
    expect(consoleLine({ ...base, type: "reconnecting", attempt: 2, of: 3, delayMs: 5000 })).toBe(
      "Reconnecting in 5,000 ms (attempt 2 of 3)",
    );
    expect(
      consoleLine({ ...base, type: "closing", direction: "out", code: 1000, reason: "" }),
    ).toBe("Closing (code 1000 normal closure, sent by us)");
    expect(
      consoleLine({
        ...base,
        type: "closed",
        code: 1006,
        reason: "",
        clean: false,
        initiator: "remote",
      }),
    ).toBe("Closed: 1006 abnormal, no close frame (closed by the server)");
    expect(consoleLine({ ...base, type: "error", message: "refused", class: "connect" })).toBe(
      "Error: refused",
    );
  });
  it("words the open line with the handshake", () => {
    const e = { ...base, type: "open" as const, url: "ws://a/", protocol: "chat", extensions: [] };
    expect(consoleLine(e)).toBe("Connected to ws://a/, protocol chat");
    expect(
      openLine(e, {
        url: "ws://a/",
        remoteAddr: "127.0.0.1:1",
        request: { startLine: "GET / HTTP/1.1", headers: [] },
        response: { startLine: "HTTP/1.1 101 Switching Protocols", headers: [] },
        protocol: "chat",
        extensions: [],
        tls: null,
        timings: { dnsMs: 0, connectMs: 0, tlsMs: 0, upgradeMs: 0, totalMs: 1.26 },
      }),
    ).toBe("Connected: HTTP/1.1 101 Switching Protocols, protocol chat, 1.3 ms");
  });
  it("labels states", () => {
    expect(stateLabel("idle")).toBe("Not connected");
    expect(stateLabel("closing")).toBe("Disconnecting");
    expect(stateLabel("open")).toBe("Connected");
  });
});

describe("selection bar", () => {
  it("says what to do for every count", () => {
    expect(selectionText([])).toBe("");
    expect(selectionText([10])).toBe("Select one more message to see the time between them");
    expect(selectionText([10, 260.5])).toBe("Time between selected messages: 250.5 ms");
    expect(selectionText([300, 10])).toBe("Time between selected messages: 290 ms");
    expect(selectionText([1, 2, 3, 4, 5])).toBe("5 messages selected: select exactly two");
  });
});

describe("connection wording in context", () => {
  const ev = (seq: number, e: Record<string, unknown>) =>
    ({ seq, time: base.time, monoMs: seq, ...e }) as WsEvent;
  const closed = (seq: number, initiator: "local" | "remote", code: number | null = null) =>
    ev(seq, { type: "closed", code, reason: "", clean: false, initiator });
  const open = (seq: number) =>
    ev(seq, { type: "open", url: "ws://a/", protocol: null, extensions: [] });
  const connecting = (seq: number, attempt = 0) =>
    ev(seq, { type: "connecting", url: "ws://a/", attempt });

  it("a close without an open is a failed connect", () => {
    const d = describeConnection([
      connecting(0),
      ev(1, { type: "error", message: "HTTP 500", class: "handshake" }),
      closed(2, "remote"),
    ]);
    expect(d.get(2)).toEqual(["Could not connect"]);
  });
  it("keeps 'closed by the server' for a close after an open", () => {
    const d = describeConnection([connecting(0), open(1), closed(2, "remote", 1006)]);
    expect(d.get(2)).toEqual(["Closed: 1006 abnormal, no close frame (closed by the server)"]);
    const us = describeConnection([connecting(0), open(1), closed(2, "local", 1000)]);
    expect(us.get(2)).toEqual(["Closed: 1000 normal closure (closed by us)"]);
  });
  it("numbers reconnections and says when it gave up", () => {
    const d = describeConnection([
      connecting(0),
      open(1),
      closed(2, "remote", 1011),
      ev(3, { type: "reconnecting", attempt: 1, of: 1, delayMs: 200 }),
      connecting(4, 1),
      open(5),
      closed(6, "remote", 1011),
    ]);
    expect(d.get(4)).toEqual(["Connecting to ws://a/ (reconnection 1 of 1)"]);
    expect(d.get(2)).toEqual(["Closed: 1011 internal error (closed by the server)"]);
    expect(d.get(6)).toEqual([
      "Closed: 1011 internal error (closed by the server)",
      "Gave up after 1 reconnection attempt",
    ]);
  });
  it("a cancelled connect is ours", () => {
    const d = describeConnection([connecting(0), closed(1, "local")]);
    expect(d.get(1)).toEqual(["Cancelled before the connection was made"]);
  });
});

describe("JSON colouring", () => {
  it("finds keys, strings, numbers and literals", () => {
    const text = '{\n  "a": "x\\"y",\n  "n": -1.5e3,\n  "t": [true, null]\n}';
    const kinds = jsonTokens(text).map(([s, e, k]) => `${k}:${text.slice(s, e)}`);
    expect(kinds).toEqual([
      'key:"a"',
      'str:"x\\"y"',
      'key:"n"',
      "num:-1.5e3",
      'key:"t"',
      "lit:true",
      "lit:null",
    ]);
  });
  it("colours only the start of a large body", () => {
    const text = `[${"1,".repeat(1000)}1]`;
    expect(jsonTokens(text, 100).length).toBeLessThan(60);
  });
});
