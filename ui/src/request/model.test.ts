import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "./settings";
import { buildOpenParams, normalizeUrl, requestName } from "./model";

describe("request helpers", () => {
  it("names tabs after host and path", () => {
    expect(requestName("")).toBe("Untitled request");
    expect(requestName("ws://127.0.0.1:9001/echo?x=1")).toBe("127.0.0.1:9001/echo");
    expect(requestName("wss://example.com/")).toBe("example.com");
    expect(requestName("ws://{{host}}/chat")).toBe("{{host}}/chat");
  });
  it("titles a tab Untitled until the URL parses as ws:// or wss://", () => {
    for (const url of ["{{", "x", "ws//x", "ws:/x", "ws://", "http://h/p", "{{host}}/chat"]) {
      expect(requestName(url)).toBe("Untitled request");
    }
    expect(requestName("ws://{{")).toBe("Untitled request");
    expect(requestName("ws://h/{{pa")).toBe("Untitled request");
    expect(requestName("WSS://Example.com/a/b/")).toBe("Example.com/a/b");
  });
  it("sends the URL as typed", () => {
    expect(normalizeUrl("ws//x")).toBe("ws//x");
    expect(normalizeUrl(" localhost:8080 ")).toBe(" localhost:8080 ");
    expect(normalizeUrl("  ")).toBe("");
    expect(normalizeUrl("{{url}}")).toBe("{{url}}");
  });
  it("builds wsdeck.open params", () => {
    const r = buildOpenParams(
      {
        url: "ws://h/?a=1",
        headers: [
          { key: "X-A", value: "1", enabled: true },
          { key: "X-B", value: "2", enabled: false },
          { key: " ", value: "3", enabled: true },
        ],
        protocols: ["chat", " "],
        settings: DEFAULT_SETTINGS,
      },
      [{ name: "v", value: "1" }],
    );
    expect(r.ok && r.params).toMatchObject({
      url: "ws://h/?a=1",
      headers: [["X-A", "1"]],
      protocols: ["chat"],
      variables: [{ name: "v", value: "1" }],
    });
    expect(
      buildOpenParams({ url: "", headers: [], protocols: [], settings: DEFAULT_SETTINGS }, []),
    ).toMatchObject({ ok: false });
    expect(
      buildOpenParams(
        {
          url: "ws://h",
          headers: [],
          protocols: [],
          settings: { ...DEFAULT_SETTINGS, maxRedirects: "" },
        },
        [],
      ),
    ).toMatchObject({ ok: false, settings: true });
    expect(
      buildOpenParams(
        {
          url: "ws://{{host}}/",
          headers: [{ key: "X", value: "{{tok}}", enabled: true }],
          protocols: [],
          settings: DEFAULT_SETTINGS,
        },
        [{ name: "host", value: "h" }],
      ),
    ).toMatchObject({
      // wsdeck resolves {{…}} (and answers an undefined one with its field and position).
      ok: true,
      params: {
        url: "ws://{{host}}/",
        headers: [["X", "{{tok}}"]],
        variables: [{ name: "host", value: "h" }],
      },
    });
  });
});
