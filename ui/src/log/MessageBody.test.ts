import { describe, expect, it } from "vitest";
import type { WsEvent } from "../types";
import { copyBodyText, eventText } from "./MessageBody";
import { textToBase64 } from "./format";

const base = { seq: 3, time: "2026-11-24T03:20:01.123Z", monoMs: 10 };

describe("Copy body", () => {
  it("copies binary bodies as hex bytes, not base64 or a hexdump", () => {
    const e: WsEvent = {
      ...base,
      type: "message",
      direction: "in",
      format: "binary",
      size: 5,
      data: textToBase64("Hello"),
    };
    expect(copyBodyText(e)).toBe("48 65 6c 6c 6f");
    expect(eventText(e)).toBe("48 65 6c 6c 6f");
  });
  it("copies text bodies as they are", () => {
    const e: WsEvent = {
      ...base,
      type: "message",
      direction: "out",
      format: "text",
      size: 8,
      data: '{"a": 1}',
    };
    expect(copyBodyText(e)).toBe('{"a": 1}');
  });
});
