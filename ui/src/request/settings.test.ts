import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, numberProblem, toSettingsParams } from "./settings";

describe("settings → API params", () => {
  it("converts the defaults, MB to bytes", () => {
    expect(toSettingsParams(DEFAULT_SETTINGS)).toEqual({
      ok: true,
      settings: {
        reconnectAttempts: 0,
        reconnectIntervalMs: 5000,
        followRedirects: true,
        maxRedirects: 10,
        handshakeTimeoutMs: 20000,
        maxMessageSize: 64 * 1024 * 1024,
        autoPong: true,
        tls: { verify: true },
      },
    });
  });
  it("accepts fractional megabytes", () => {
    const r = toSettingsParams({ ...DEFAULT_SETTINGS, maxMessageSizeMb: "0.5", verifyTls: false });
    expect(r.ok && r.settings.maxMessageSize).toBe(524288);
    expect(r.ok && r.settings.tls).toEqual({ verify: false });
  });
  it("ignores the redirect maximum when redirects are not followed", () => {
    const r = toSettingsParams({ ...DEFAULT_SETTINGS, followRedirects: false, maxRedirects: "x" });
    expect(r.ok && r.settings.followRedirects).toBe(false);
    expect(r.ok && "maxRedirects" in r.settings).toBe(false);
  });
  it("rejects bad numbers with a sentence", () => {
    expect(numberProblem("reconnectAttempts", "")).toBe("Enter a number.");
    expect(numberProblem("reconnectAttempts", "abc")).toBe("Enter a number.");
    expect(numberProblem("reconnectAttempts", "1.5")).toBe("Enter a whole number.");
    expect(numberProblem("maxRedirects", "-1")).toBe("Enter a number from 0 to 100.");
    expect(numberProblem("handshakeTimeoutMs", "0")).toMatch(/from 1 to/);
    expect(numberProblem("maxRedirects", " 3 ")).toBe("");
    const r = toSettingsParams({ ...DEFAULT_SETTINGS, maxRedirects: "x", handshakeTimeoutMs: "" });
    expect(r).toEqual({
      ok: false,
      errors: { maxRedirects: "Enter a number.", handshakeTimeoutMs: "Enter a number." },
    });
  });
});
