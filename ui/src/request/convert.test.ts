import { describe, expect, it } from "vitest";
import {
  fieldsFromRequest,
  fingerprint,
  isUnsaved,
  requestFromFields,
  settingsFromWire,
  settingsToWire,
} from "./convert";
import { DEFAULT_SETTINGS } from "./settings";
import { MIB } from "./units";
import { login } from "./fixtures.test-support";

describe("request ⇄ tab state", () => {
  it("round-trips params, headers, protocols, settings and messages", () => {
    const f = fieldsFromRequest(login);
    expect(f.headers[1]).toEqual({ key: "X-B", value: "2", enabled: false });
    expect(f.settings.maxMessageSizeMb).toBe("2");
    expect(f.settings.verifyTls).toBe(false);
    expect(f.settings.reconnectAttempts).toBe("3");
    expect(f.settings.handshakeTimeoutMs).toBe(DEFAULT_SETTINGS.handshakeTimeoutMs);
    const back = requestFromFields(f, login);
    expect(back).toEqual(login);
  });

  it("saves only settings that differ from the defaults, and valid ones", () => {
    expect(settingsToWire(DEFAULT_SETTINGS)).toEqual({});
    expect(
      settingsToWire({ ...DEFAULT_SETTINGS, maxMessageSizeMb: "0.5", reconnectAttempts: "x" }),
    ).toEqual({ maxMessageSize: MIB / 2 });
    expect(settingsFromWire({})).toEqual(DEFAULT_SETTINGS);
  });

  it("saves 0 (no handshake deadline, no size limit) and reads it back", () => {
    const none = { ...DEFAULT_SETTINGS, handshakeTimeoutMs: "0", maxMessageSizeMb: "0" };
    expect(settingsToWire(none)).toEqual({ handshakeTimeoutMs: 0, maxMessageSize: 0 });
    expect(settingsFromWire({ handshakeTimeoutMs: 0, maxMessageSize: 0 })).toEqual(none);
  });

  it("keeps a saved close timeout and TLS choice (every setting the API saves)", () => {
    const wire = { closeTimeoutMs: 750, tls: { verify: false } };
    const form = settingsFromWire(wire);
    expect(form.closeTimeoutMs).toBe("750");
    expect(form.verifyTls).toBe(false);
    expect(settingsToWire(form)).toEqual(wire);
  });
  it("drops empty rows and trims protocols when saving", () => {
    const f = fieldsFromRequest(login);
    f.headers = [...f.headers, { key: "", value: "", enabled: true }];
    f.protocols = [" a ", ""];
    const r = requestFromFields(f, { ...login, id: undefined });
    expect(r.headers).toHaveLength(2);
    expect(r.protocols).toEqual(["a"]);
    expect("id" in r).toBe(false);
  });
});

describe("unsaved detection", () => {
  it("compares what a save would write", () => {
    const f = fieldsFromRequest(login);
    const base = fingerprint(f);
    expect(isUnsaved(f, base)).toBe(false);
    expect(isUnsaved({ ...f, url: "ws://other" }, base)).toBe(true);
    // An empty row added (not saved anyway) is not a change.
    expect(
      isUnsaved({ ...f, params: [...f.params, { key: "", value: "", enabled: true }] }, base),
    ).toBe(false);
    expect(isUnsaved({ ...f, settings: { ...f.settings, autoPong: false } }, base)).toBe(true);
    expect(isUnsaved(f, null)).toBe(false);
  });
});
