import { signal } from "@preact/signals";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import type { Rpc } from "../rpc";
import { TabSession } from "../session";
import type { Handshake, WsEvent } from "../types";
import { ConnectionBadge, ConsolePanel } from "./index";

const handshake: Handshake = {
  url: "ws://127.0.0.1:9001/echo",
  remoteAddr: "127.0.0.1:9001",
  request: { startLine: "GET /echo HTTP/1.1", headers: [["Host", "127.0.0.1:9001"]] },
  response: { startLine: "HTTP/1.1 101 Switching Protocols", headers: [["Upgrade", "websocket"]] },
  protocol: "chat",
  extensions: [],
  tls: null,
  timings: { dnsMs: 0.1, connectMs: 0.2, tlsMs: 0, upgradeMs: 0.5, totalMs: 0.9 },
};

function fakeRpc() {
  const handlers = new Map<string, (p: unknown) => void>();
  const rpc: Rpc = {
    call: <T,>(method: string): Promise<T> => {
      const answers: Record<string, unknown> = {
        "wsdeck.open": { id: "S1" },
        "wsdeck.subscribe": { subscription: "sub1" },
        "wsdeck.handshake": handshake,
      };
      return Promise.resolve(answers[method] as T);
    },
    batch: () => Promise.resolve([]),
    on: (method, h) => {
      handlers.set(method, h as (p: unknown) => void);
      return () => handlers.delete(method);
    },
    status: signal("open"),
    generation: signal(1),
    problem: signal(""),
  };
  const emit = (events: WsEvent[]) =>
    handlers.get("wsdeck.events")?.({
      subscription: "sub1",
      id: "S1",
      events,
      missed: 0,
      atEnd: false,
    });
  return { rpc, emit };
}

const t = (seq: number) => ({ seq, time: "2026-11-24T03:20:01.123Z", monoMs: seq });

let root: HTMLElement;
afterEach(() => {
  render(null, root);
  root.remove();
});

async function setup() {
  root = document.createElement("div");
  document.body.append(root);
  const { rpc, emit } = fakeRpc();
  const session = new TabSession(rpc);
  await act(() => {
    render(
      <>
        <ConnectionBadge rpc={rpc} session={session} />
        <ConsolePanel rpc={rpc} session={session} />
      </>,
      root,
    );
  });
  return { session, emit };
}

describe("ConnectionBadge and ConsolePanel", () => {
  it("shows the state, the handshake details and the console lines", async () => {
    const { session, emit } = await setup();
    const badge = () => root.querySelector<HTMLElement>(".log-badge");
    expect(badge()?.getAttribute("aria-label")).toBe("Connection status: Not connected");

    await act(async () => {
      await session.connect({ url: "ws://127.0.0.1:9001/echo" });
    });
    await act(async () => {
      emit([
        { ...t(0), type: "connecting", url: "ws://127.0.0.1:9001/echo", attempt: 0 },
        {
          ...t(1),
          type: "open",
          url: "ws://127.0.0.1:9001/echo",
          protocol: "chat",
          extensions: [],
        },
      ]);
      await Promise.resolve();
    });
    expect(badge()?.getAttribute("aria-label")).toBe("Connection status: Connected");

    await act(() => badge()?.focus());
    const tip = root.querySelector('[role="tooltip"]');
    expect(tip?.textContent).toContain("127.0.0.1:9001");
    expect(tip?.textContent).toContain("HTTP/1.1 101 Switching Protocols");
    expect(tip?.textContent).toContain("chat");

    await act(() => {
      emit([{ ...t(2), type: "error", message: "boom", class: "protocol" }]);
    });
    const toggle = [...root.querySelectorAll("button")].find((b) =>
      b.textContent?.includes("Console"),
    );
    expect(toggle?.getAttribute("aria-expanded")).toBe("false");
    expect(toggle?.textContent).toContain("1");
    await act(() => toggle?.click());
    const text = root.querySelector('[aria-label="Console log"]')?.textContent ?? "";
    expect(text).toContain("Connecting to ws://127.0.0.1:9001/echo");
    expect(text).not.toContain("(attempt 1)");
    expect(text).toContain("Connected: HTTP/1.1 101 Switching Protocols, protocol chat");
    expect(text).toContain("Host: 127.0.0.1:9001");
    expect(text).toContain("Error: boom");

    await act(() => {
      emit([
        { ...t(3), type: "closed", code: 1006, reason: "", clean: false, initiator: "remote" },
      ]);
    });
    expect(badge()?.getAttribute("aria-label")).toBe("Connection status: Disconnected");
    expect(root.querySelector('[aria-label="Console log"]')?.textContent).toContain(
      "Closed: 1006 abnormal, no close frame",
    );

    const clear = [...root.querySelectorAll("button")].find(
      (b) => b.textContent === "Clear console",
    );
    await act(() => clear?.click());
    expect(root.querySelector('[aria-label="Console log"]')?.textContent).toContain(
      "Nothing logged yet.",
    );
  });

  it("words a failed connect with reconnection attempts in plain words", async () => {
    const { session, emit } = await setup();
    await act(async () => {
      await session.connect({ url: "ws://127.0.0.1:1/" });
    });
    const closed = (seq: number): WsEvent => ({
      ...t(seq),
      type: "closed",
      code: null,
      reason: "",
      clean: false,
      initiator: "remote",
    });
    await act(async () => {
      emit([
        { ...t(0), type: "connecting", url: "ws://127.0.0.1:1/", attempt: 0 },
        { ...t(1), type: "error", message: "refused", class: "connect" },
        closed(2),
        { ...t(3), type: "reconnecting", attempt: 1, of: 2, delayMs: 1000 },
        { ...t(4), type: "connecting", url: "ws://127.0.0.1:1/", attempt: 1 },
        { ...t(5), type: "error", message: "refused", class: "connect" },
        closed(6),
        { ...t(7), type: "reconnecting", attempt: 2, of: 2, delayMs: 1000 },
        { ...t(8), type: "connecting", url: "ws://127.0.0.1:1/", attempt: 2 },
        { ...t(9), type: "error", message: "refused", class: "connect" },
        closed(10),
      ]);
      await Promise.resolve();
    });
    const toggle = [...root.querySelectorAll("button")].find((b) =>
      b.textContent?.includes("Console"),
    );
    await act(() => toggle?.click());
    const lines = [...root.querySelectorAll(".log-console-text")].map((l) => l.textContent);
    expect(lines).toEqual([
      "Connecting to ws://127.0.0.1:1/",
      "Error: refused",
      "Could not connect",
      "Reconnecting in 1,000 ms (attempt 1 of 2)",
      "Connecting to ws://127.0.0.1:1/ (reconnection 1 of 2)",
      "Error: refused",
      "Could not connect",
      "Reconnecting in 1,000 ms (attempt 2 of 2)",
      "Connecting to ws://127.0.0.1:1/ (reconnection 2 of 2)",
      "Error: refused",
      "Gave up after 2 reconnection attempts",
    ]);
    expect(root.textContent).not.toContain("closed by the server");

    // The badge tells the same, on hover, with a short title too.
    const badge = root.querySelector<HTMLElement>(".log-badge");
    expect(badge?.getAttribute("title")).toBe("Connection status: Disconnected");
    await act(() => {
      badge?.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
      badge?.dispatchEvent(new MouseEvent("mouseenter"));
    });
    const tip = root.querySelector('[role="tooltip"]')?.textContent ?? "";
    expect(tip).toContain("Gave up after 2 reconnection attempts");
    expect(tip).not.toContain("the server");
  });
});
