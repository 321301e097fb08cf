// The UI's one connection to wsdeck: JSON-RPC 2.0 over the gateway WebSocket (`/rpc`).
//
// The page learns the per-run token from the URL fragment (`#token=…`, never sent to a
// server), keeps it in sessionStorage so a reload works, and removes it from the address bar.
// When the socket drops (wsdeck restarted, laptop slept) the client reconnects with backoff
// and reports it through `status`; calls made while disconnected fail at once with a plain
// message instead of hanging. Sessions belong to the gateway connection: after a reconnect
// the old session ids are gone (the API closed them), and `generation` tells views so.

import { signal, type Signal } from "@preact/signals";
import type { Methods, Notifications, RpcErrorBody } from "./types";

/** A method of the API (the generated `Methods` map: its params and result types). */
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]["params"];
export type ResultOf<M extends MethodName> = Methods[M]["result"];

export type RpcStatus = "connecting" | "open" | "reconnecting" | "unauthorized";

/** A failed call: the API's error, with its code and data, worded for people. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(body: RpcErrorBody) {
    super(body.message);
    this.name = "RpcError";
    this.code = body.code;
    this.data = body.data;
  }
}

/**
 * The largest request `wsdeck ui` takes (`MAX_REQUEST_BYTES` in crates/wsdeck/src/ui.rs). The
 * gateway closes a client that sends more, which would cost the page every session, so a
 * bigger request is refused here, by name, before it goes out.
 */
export const MAX_REQUEST_BYTES = 128 * 1024 * 1024;

/** Why `text` may not be sent as one request, or "" when it fits. */
export function requestTooLarge(text: string): string {
  // Every UTF-16 unit is at most 3 UTF-8 bytes: most requests need no counting.
  if (text.length * 3 <= MAX_REQUEST_BYTES) return "";
  const bytes = new TextEncoder().encode(text).length;
  if (bytes <= MAX_REQUEST_BYTES) return "";
  const mib = (n: number) => (n / (1024 * 1024)).toFixed(1);
  return `Not sent: this is ${mib(bytes)} MiB as a request, and the workbench can hand wsdeck at most ${mib(MAX_REQUEST_BYTES)} MiB at once. Send it with wsdeck connect instead (its messages have no such limit).`;
}

type Handler = (params: unknown) => void;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface Rpc {
  /**
   * Calls a method with its params, typed by the generated method map (`tsc` checks both);
   * rejects with `RpcError` (API error) or `Error` (no connection).
   */
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Several calls of one method in one JSON-RPC batch (one frame); results in order. */
  batch<M extends MethodName>(
    calls: { method: M; params: ParamsOf<M> }[],
  ): Promise<(ResultOf<M> | RpcError)[]>;
  /**
   * Subscribes to a notification, its params typed by the generated `Notifications` map
   * (what the server sends; a handler still meets only what arrived); returns the
   * unsubscribe function.
   */
  on<N extends keyof Notifications>(
    method: N,
    handler: (params: Notifications[N]) => void,
  ): () => void;
  readonly status: Signal<RpcStatus>;
  /** Counts successful (re)connections: views drop session ids from older generations. */
  readonly generation: Signal<number>;
  /** A human sentence about the link to wsdeck, or "" while all is well. */
  readonly problem: Signal<string>;
}

const TOKEN_KEY = "wsdeck.token";

/** Reads the token from `#token=…` (then hides it) or from sessionStorage. */
export function takeToken(loc: Location = location, store: Storage = sessionStorage): string {
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ""));
  const fromHash = hash.get("token");
  if (fromHash) {
    store.setItem(TOKEN_KEY, fromHash);
    hash.delete("token");
    const rest = hash.toString();
    history.replaceState(null, "", loc.pathname + loc.search + (rest ? `#${rest}` : ""));
    return fromHash;
  }
  return store.getItem(TOKEN_KEY) ?? "";
}

const TOKEN_REFUSED =
  "wsdeck is running but does not accept this page's token: it was restarted with a new one. Open the address it printed (or start it with --keep-token FILE so pages survive restarts).";
const NOT_RUNNING =
  "wsdeck is not answering at this address; retrying… Start it again (wsdeck ui) and this page reconnects by itself if the port and token are the same.";

/** Whether wsdeck's page answers at the address of `rpcUrl` (wsdeck is up and listening). */
async function pageAnswers(rpcUrl: string): Promise<boolean> {
  const page = rpcUrl.replace(/^ws/, "http").replace(/\/rpc\?.*$/, "/");
  try {
    const r = await fetch(page, { cache: "no-store" });
    return r.ok;
  } catch {
    return false;
  }
}

/** Backoff between reconnection attempts: 250 ms doubling to 5 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(5000, 250 * 2 ** Math.max(0, attempt));
}

export function connectRpc(url: string): Rpc {
  const status = signal<RpcStatus>("connecting");
  const generation = signal(0);
  const problem = signal("");
  const handlers = new Map<string, Set<Handler>>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let attempt = 0;

  const failAll = (why: string) => {
    for (const p of pending.values()) p.reject(new Error(why));
    pending.clear();
  };

  const dispatch = (msg: Record<string, unknown>) => {
    if (typeof msg.method === "string" && msg.id === undefined) {
      const set = handlers.get(msg.method);
      if (set) for (const h of set) h(msg.params);
      return;
    }
    if (typeof msg.id !== "number") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new RpcError(msg.error as RpcErrorBody));
    else p.resolve(msg.result);
  };

  // A browser does not say why an upgrade failed. wsdeck refused the token only if its page
  // answered *before* the attempt began and the upgrade still failed: a page answering after
  // a failure may just mean wsdeck came up in between (restarted), so that earns a retry at
  // once, not a verdict.
  let pageAnsweredBeforeAttempt = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const retryIn = (delay: number) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(open, delay);
  };

  const upgradeFailed = (pageWasUp: boolean) => {
    if (pageWasUp) {
      status.value = "unauthorized";
      problem.value = TOKEN_REFUSED;
      return;
    }
    void pageAnswers(url).then((up) => {
      if (socket !== null) return; // a newer attempt is under way or open
      if (up) {
        pageAnsweredBeforeAttempt = true;
        retryIn(0);
      } else {
        problem.value = NOT_RUNNING;
      }
    });
  };

  const open = () => {
    const ws = new WebSocket(url);
    socket = ws;
    const pageWasUp = pageAnsweredBeforeAttempt;
    pageAnsweredBeforeAttempt = false;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      attempt = 0;
      status.value = "open";
      problem.value = "";
      generation.value += 1;
    };
    ws.onmessage = (ev) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(ev.data));
      } catch {
        console.error("wsdeck sent text that is not JSON", ev.data);
        return;
      }
      if (Array.isArray(parsed)) {
        for (const m of parsed) dispatch(m as Record<string, unknown>);
      } else if (parsed && typeof parsed === "object") {
        dispatch(parsed as Record<string, unknown>);
      }
    };
    ws.onclose = (ev) => {
      socket = null;
      failAll("The connection to wsdeck was lost; the request was not completed.");
      if (status.value !== "unauthorized") status.value = "reconnecting";
      if (opened) problem.value = lostWhy(ev.code);
      else upgradeFailed(pageWasUp);
      const delay = reconnectDelay(attempt);
      attempt += 1;
      retryIn(delay);
    };
  };
  open();

  const send = (text: string): boolean => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(text);
    return true;
  };

  const notConnected = () =>
    new Error("Not connected to wsdeck right now; try again once it has reconnected.");

  return {
    status,
    generation,
    problem,
    call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      const id = nextId++;
      const body = JSON.stringify({ jsonrpc: "2.0", id, method, params: params ?? {} });
      const tooLarge = requestTooLarge(body);
      if (tooLarge) return Promise.reject(new Error(tooLarge));
      return new Promise<ResultOf<M>>((resolve, reject) => {
        if (!send(body)) {
          reject(notConnected());
          return;
        }
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      });
    },
    batch<M extends MethodName>(
      calls: { method: M; params: ParamsOf<M> }[],
    ): Promise<(ResultOf<M> | RpcError)[]> {
      type T = ResultOf<M>;
      if (calls.length === 0) return Promise.resolve([]);
      const ids = calls.map(() => nextId++);
      const promises = ids.map(
        (id) =>
          new Promise<T | RpcError>((resolve, reject) => {
            pending.set(id, {
              resolve: (v) => resolve(v as T),
              reject: (e) => (e instanceof RpcError ? resolve(e) : reject(e)),
            });
          }),
      );
      const body = JSON.stringify(
        calls.map((c, i) => ({
          jsonrpc: "2.0",
          id: ids[i],
          method: c.method,
          params: c.params ?? {},
        })),
      );
      const tooLarge = requestTooLarge(body);
      if (tooLarge || !send(body)) {
        for (const id of ids) pending.delete(id);
        return Promise.reject(tooLarge ? new Error(tooLarge) : notConnected());
      }
      return Promise.all(promises);
    },
    on<N extends keyof Notifications>(
      method: N,
      typed: (params: Notifications[N]) => void,
    ): () => void {
      const handler = typed as Handler;
      let set = handlers.get(method);
      if (!set) {
        set = new Set();
        handlers.set(method, set);
      }
      set.add(handler);
      return () => set.delete(handler);
    },
  };
}

/** The gateway address of the page that loaded us, with the token. */
export function gatewayUrl(token: string, loc: Location = location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/rpc?token=${encodeURIComponent(token)}`;
}

/** What the page says when its open connection to wsdeck closes with `code`. */
export function lostWhy(code: number): string {
  return code === 1001
    ? "wsdeck was stopped (Ctrl-C in its terminal, or a kill). Start it again: this page reconnects by itself if it keeps its token (wsdeck ui --keep-token FILE); otherwise open the address it prints."
    : "Lost the connection to wsdeck; reconnecting…";
}
