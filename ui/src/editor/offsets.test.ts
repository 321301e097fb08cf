import { describe, expect, it } from "vitest";
import { byteToUtf16, utf16ToByte, utf8Length } from "./offsets";

describe("byte ↔ UTF-16 offsets", () => {
  const text = "aé😀x\nß";
  it("measures UTF-8", () => {
    expect(utf8Length("")).toBe(0);
    expect(utf8Length("abc")).toBe(3);
    expect(utf8Length("é")).toBe(2);
    expect(utf8Length("€")).toBe(3);
    expect(utf8Length("😀")).toBe(4);
    expect(utf8Length(text)).toBe(1 + 2 + 4 + 1 + 1 + 2);
  });
  it("converts UTF-16 indexes to bytes", () => {
    expect(utf16ToByte(text, 0)).toBe(0);
    expect(utf16ToByte(text, 1)).toBe(1);
    expect(utf16ToByte(text, 2)).toBe(3);
    expect(utf16ToByte(text, 4)).toBe(7);
    expect(utf16ToByte(text, 5)).toBe(8);
    expect(utf16ToByte(text, 99)).toBe(11);
  });
  it("converts bytes to UTF-16 indexes, moving into-character offsets back", () => {
    expect(byteToUtf16(text, 0)).toBe(0);
    expect(byteToUtf16(text, 1)).toBe(1);
    expect(byteToUtf16(text, 2)).toBe(1);
    expect(byteToUtf16(text, 3)).toBe(2);
    expect(byteToUtf16(text, 5)).toBe(2);
    expect(byteToUtf16(text, 7)).toBe(4);
    expect(byteToUtf16(text, 8)).toBe(5);
    expect(byteToUtf16(text, 99)).toBe(text.length);
  });
  it("round-trips every boundary", () => {
    for (let i = 0; i <= text.length; i++) {
      if (i === 3) continue; // inside the surrogate pair
      expect(byteToUtf16(text, utf16ToByte(text, i))).toBe(i);
    }
  });
});
