import { describe, expect, it } from "vitest";
import { MIB, bytesToMib, mibTextToBytes } from "./units";

describe("MiB ⇄ bytes", () => {
  it("converts MiB and bytes", () => {
    expect(bytesToMib(64 * MIB)).toBe("64");
    expect(bytesToMib(1536 * 1024)).toBe("1.5");
    expect(mibTextToBytes("1.5")).toBe(1536 * 1024);
    expect(mibTextToBytes("")).toBeNull();
    expect(mibTextToBytes("-1")).toBeNull();
    // 0 is no limit, and is kept as such; a small limit never reads back as 0.
    expect(mibTextToBytes("0")).toBe(0);
    expect(bytesToMib(0)).toBe("0");
    expect(bytesToMib(100)).not.toBe("0");
    expect(mibTextToBytes(bytesToMib(100))).toBe(100);
    expect(mibTextToBytes(bytesToMib(1000))).toBe(1000);
    expect(bytesToMib(1049)).toBe("0.001");
  });
});
