import { describe, expect, it } from "vitest";
import { copyAs, shellWord, type CopyRequest } from "./copyAs";

const full: CopyRequest = {
  url: "wss://h/chat?room=1&x={{token}}",
  headers: [
    ["Authorization", "Bearer {{token}}"],
    ["X-Quote", "it's"],
  ],
  protocols: ["chat.v2", "chat.v1"],
  message: '{"op":"hello"}',
};

describe("copy as", () => {
  it("quotes shell words only when needed, and single quotes safely", () => {
    expect(shellWord("ws://h:80/a")).toBe("ws://h:80/a");
    expect(shellWord("a b")).toBe("'a b'");
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
    expect(shellWord("")).toBe("''");
    expect(shellWord("$(rm -rf ~)")).toBe("'$(rm -rf ~)'");
  });

  it("writes a wsdeck connect command with headers, subprotocols and the message", () => {
    expect(copyAs("wsdeck", full)).toBe(
      `wsdeck connect 'wss://h/chat?room=1&x={{token}}' -H 'Authorization: Bearer {{token}}' ` +
        `-H 'X-Quote: it'\\''s' -s chat.v2 -s chat.v1 -x '{"op":"hello"}'`,
    );
  });

  it("writes websocat and wscat commands in their own flags", () => {
    expect(copyAs("websocat", full)).toBe(
      `printf '%s\\n' '{"op":"hello"}' | websocat -H 'Authorization: Bearer {{token}}' ` +
        `-H 'X-Quote: it'\\''s' --protocol 'chat.v2, chat.v1' 'wss://h/chat?room=1&x={{token}}'`,
    );
    expect(copyAs("wscat", { ...full, message: "" })).toBe(
      `wscat -c 'wss://h/chat?room=1&x={{token}}' -H 'Authorization: Bearer {{token}}' ` +
        `-H 'X-Quote: it'\\''s' -s chat.v2 -s chat.v1`,
    );
  });

  it("writes browser, Node and Python code; the browser's says which headers it cannot send", () => {
    const browser = copyAs("browser", full);
    expect(browser).toContain("// A browser's WebSocket cannot send custom headers");
    expect(browser).toContain("//   X-Quote: it's");
    expect(browser).toContain(
      'new WebSocket("wss://h/chat?room=1&x={{token}}", ["chat.v2","chat.v1"]);',
    );
    expect(browser).toContain('ws.onopen = () => ws.send("{\\"op\\":\\"hello\\"}");');

    const node = copyAs("node", full);
    expect(node).toContain('import WebSocket from "ws";');
    expect(node).toContain('"X-Quote": "it\'s"');
    expect(node).toContain('["chat.v2","chat.v1"], { headers: {');

    const python = copyAs("python", full);
    expect(python).toContain("from websockets.asyncio.client import connect");
    expect(python).toContain(
      'additional_headers=[("Authorization", "Bearer {{token}}"), ("X-Quote", "it\'s")]',
    );
    expect(python).toContain('subprotocols=["chat.v2", "chat.v1"]');
    expect(python).toContain('await ws.send("{\\"op\\":\\"hello\\"}")');
  });

  it("leaves out what the request does not have", () => {
    const bare: CopyRequest = { url: "ws://h/", headers: [], protocols: [], message: "" };
    expect(copyAs("wsdeck", bare)).toBe("wsdeck connect ws://h/");
    expect(copyAs("websocat", bare)).toBe("websocat ws://h/");
    expect(copyAs("browser", bare)).not.toContain("onopen");
    expect(copyAs("node", bare)).toContain('new WebSocket("ws://h/");');
    expect(copyAs("python", bare)).toContain('async with connect("ws://h/") as ws:');
  });
});
