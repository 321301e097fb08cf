import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "../request/settings";
import { deserializeWorkspace, serializeWorkspace, type RequestDraft } from "./persist";

const draft: RequestDraft = {
  url: "ws://h/?a=1",
  params: [{ key: "a", value: "1", enabled: true }],
  headers: [{ key: "X", value: "{{t}}", enabled: false }],
  protocols: ["chat"],
  settings: { ...DEFAULT_SETTINGS, maxRedirects: "3", verifyTls: false },
  message: '{"a":1}',
  format: "json",
  encoding: "base64",
  subTab: "Headers",
};

describe("workspace persistence", () => {
  it("round-trips", () => {
    const text = serializeWorkspace({ drafts: [draft, draft], active: 1 });
    expect(deserializeWorkspace(text)).toEqual({ drafts: [draft, draft], active: 1 });
  });
  it("repairs what it cannot use", () => {
    expect(deserializeWorkspace(null)).toBeNull();
    expect(deserializeWorkspace("nope")).toBeNull();
    expect(deserializeWorkspace('{"drafts":[]}')).toBeNull();
    const w = deserializeWorkspace(
      '{"drafts":[{"url":"ws://x","format":"yaml","settings":{"maxRedirects":5,"autoPong":false}}],"active":7}',
    );
    expect(w?.active).toBe(0);
    expect(w?.drafts[0]).toMatchObject({
      url: "ws://x",
      format: "text",
      subTab: "Message",
      settings: { ...DEFAULT_SETTINGS, autoPong: false },
    });
  });
});
