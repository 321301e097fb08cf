import { describe, expect, it } from "vitest";
import type { WsEvent } from "../types";
import {
  consoleLine,
  escapeControl,
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
    expect(previewText(e)).toBe("Connecting to ws://127.0.0.1:9001/echo (attempt 1)");
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
    expect(formatBytes(2458)).toBe("2.4 KB");
    expect(formatBytes(245 * 1024)).toBe("245 KB");
  });
  it("formats the rate line", () => {
    expect(formatRate(1234, 245 * 1024)).toBe("1,234 msg/s · 245 KB/s");
    expect(formatRate(0, 0)).toBe("0 msg/s · 0 B/s");
  });
});

describe("console wording", () => {
  it("words each event type", () => {
    expect(consoleLine({ ...base, type: "connecting", url: "ws://a/", attempt: 0 })).toBe(
      "Connecting to ws://a/ (attempt 1)",
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
