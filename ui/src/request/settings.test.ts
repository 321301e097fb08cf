import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, NUMBER_RULES, numberProblem, toSettingsParams } from "./settings";
import { MIB } from "./units";

describe("settings → API params", () => {
  it("converts the defaults, MiB to bytes", () => {
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
        closeTimeoutMs: 5000,
        tls: { verify: true },
      },
    });
  });
  it("accepts fractional MiB", () => {
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
    expect(numberProblem("handshakeTimeoutMs", "-1")).toBe("Enter a number from 0 to 3,600,000.");
    expect(numberProblem("maxMessageSizeMb", "-0.5")).toBe("Enter a number from 0 to 4,096.");
    expect(numberProblem("maxRedirects", " 3 ")).toBe("");
    const r = toSettingsParams({ ...DEFAULT_SETTINGS, maxRedirects: "x", handshakeTimeoutMs: "" });
    expect(r).toEqual({
      ok: false,
      errors: { maxRedirects: "Enter a number.", handshakeTimeoutMs: "Enter a number." },
    });
  });
  it("takes 0 as no handshake deadline and no message size limit, as the engine does", () => {
    expect(numberProblem("handshakeTimeoutMs", "0")).toBe("");
    expect(numberProblem("maxMessageSizeMb", "0")).toBe("");
    const r = toSettingsParams({
      ...DEFAULT_SETTINGS,
      handshakeTimeoutMs: "0",
      maxMessageSizeMb: "0",
    });
    // The API's `null` would mean "the default" (20 s, 64 MiB): 0 is what says none.
    expect(r.ok && r.settings.handshakeTimeoutMs).toBe(0);
    expect(r.ok && r.settings.maxMessageSize).toBe(0);
  });
  it("never rounds a positive size down to 0 (no limit)", () => {
    const r = toSettingsParams({ ...DEFAULT_SETTINGS, maxMessageSizeMb: "0.0000001" });
    expect(r.ok && r.settings.maxMessageSize).toBe(1);
    const k = toSettingsParams({ ...DEFAULT_SETTINGS, maxMessageSizeMb: "0.001" });
    expect(k.ok && k.settings.maxMessageSize).toBe(Math.round(0.001 * MIB)); // 1049 bytes
  });
  it("names the size unit as it is: MiB", () => {
    expect(NUMBER_RULES.maxMessageSizeMb.label).toBe("Maximum message size (MiB)");
    expect(MIB).toBe(1_048_576);
  });
});
