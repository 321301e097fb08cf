import { describe, expect, it } from "vitest";
import { parseBase64, convertBinary, hexToBytes } from "./binary";

describe("hex ↔ Base64", () => {
  it("converts valid hex to Base64 and back", () => {
    expect(convertBinary("48 65 6c 6c 6f", "hex", "base64")).toBe("SGVsbG8=");
    expect(convertBinary("48656C6C6F", "hex", "base64")).toBe("SGVsbG8=");
    expect(convertBinary("SGVsbG8=", "base64", "hex")).toBe("48 65 6c 6c 6f");
    expect(convertBinary("SGVsbG8", "base64", "hex")).toBe("48 65 6c 6c 6f");
    expect(convertBinary("/+8=", "base64", "hex")).toBe("ff ef");
    expect(convertBinary("", "hex", "base64")).toBe("");
  });
  it("keeps text that is not valid in its encoding", () => {
    expect(convertBinary("abc", "hex", "base64")).toBe("abc");
    expect(convertBinary("zz 00", "hex", "base64")).toBe("zz 00");
    expect(convertBinary("SGVsb!", "base64", "hex")).toBe("SGVsb!");
    expect(convertBinary("A", "base64", "hex")).toBe("A");
    expect(convertBinary("48 65", "hex", "hex")).toBe("48 65");
  });
  it("decodes", () => {
    expect(hexToBytes("0a ff")).toEqual(new Uint8Array([10, 255]));
    expect(hexToBytes("0a f")).toBeNull();
    expect(parseBase64("AAE=")).toEqual(new Uint8Array([0, 1]));
    expect(parseBase64("AA=E")).toBeNull();
  });
});
