// One tab's live connection: the wsdeck session behind it, its state and its event stream.
//
// The request pane calls `connect`/`disconnect`/`send…`; the messages pane and console read
// `state`, `total`, `connectionEvents` and listen with `onEvents`. The full event log stays
// in wsdeck (bounded by its retention); this object keeps only what every view needs at
// once (connection events, the log's length), so a million messages cost the page almost nothing.

import { batch, signal } from "@preact/signals";
import { requestError } from "./errors";
import type { Rpc } from "./rpc";
import type {
  CloseParams,
  EventsNotification,
  Handshake,
  OpenParams,
  SessionState,
  Variable,
  WsEvent,
} from "./types";

/** `idle`: never connected in this tab (or cleared); the rest are the engine's states. */
export type TabState = "idle" | SessionState;

/** Events the console and the badge keep: everything but messages and control frames. */
export function isConnectionEvent(e: WsEvent): boolean {
  return e.type !== "message" && e.type !== "ping" && e.type !== "pong";
}

/** Largest `data` the live stream carries per event; views fetch whole bodies on demand. */
export const LIVE_MAX_DATA = 4096;

export type EventsListener = (events: WsEvent[], missed: number) => void;

export class TabSession {
  readonly sessionId = signal<string | null>(null);
  readonly state = signal<TabState>("idle");
  readonly handshake = signal<Handshake | null>(null);
  /** One past the highest sequence number seen (the log's length). */
  readonly total = signal(0);
  /** Connection events of the current session, in order (console, badge). */
  readonly connectionEvents = signal<WsEvent[]>([]);
  /** The last error worded for people ("" when none). */
  readonly error = signal("");

  private subscription: string | null = null;
  private listeners = new Set<EventsListener>();
  private stopNotifications: () => void;
  private stopLinkWatch: () => void;

  constructor(private readonly rpc: Rpc) {
    this.stopNotifications = rpc.on("wsdeck.events", (p) => this.onNotification(p));
    // Sessions belong to the gateway connection: when it drops, wsdeck closes them, so the
    // tab must not go on saying "Connected" while the page reconnects.
    this.stopLinkWatch = rpc.status.subscribe((status) => {
      if (status !== "open" && this.sessionId.peek()) this.markLost();
    });
  }

  /** Listens to every event of the current session as it arrives (batched). */
  onEvents(listener: EventsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Opens a new session (the previous one, if any, is forgotten by this tab). */
  async connect(params: OpenParams): Promise<void> {
    this.reset();
    this.state.value = "connecting";
    try {
      const { id } = await this.rpc.call("wsdeck.open", {
        ...params,
        wait: false,
      });
      this.sessionId.value = id;
      const { subscription } = await this.rpc.call("wsdeck.subscribe", {
        id,
        from: 0,
        maxData: LIVE_MAX_DATA,
      });
      this.subscription = subscription;
    } catch (e) {
      batch(() => {
        this.state.value = "closed";
        this.error.value = requestError(e);
      });
    }
  }

  /** Closes the session (or cancels it while connecting). */
  async disconnect(code?: number, reason?: string): Promise<void> {
    const id = this.sessionId.peek();
    if (!id) return;
    const before = this.state.peek();
    if (before === "open") this.state.value = "closing";
    const params: CloseParams = { id };
    if (code !== undefined) params.code = code;
    if (reason) params.reason = reason;
    try {
      await this.rpc.call("wsdeck.close", params);
    } catch (e) {
      // Refused (an unsendable code, a reason too long…): nothing was sent, so the
      // connection is as it was.
      batch(() => {
        if (this.state.peek() === "closing") this.state.value = before;
        this.error.value = requestError(e);
      });
      throw e;
    }
  }

  async sendText(text: string, variables: Variable[] = []): Promise<void> {
    await this.rpc.call("wsdeck.send", { id: this.requireId(), text, variables });
  }

  /** `encoding` hex accepts spaces, `0x` prefixes and line breaks; base64 is standard. */
  async sendBinary(input: string, encoding: "hex" | "base64"): Promise<void> {
    const key = encoding === "hex" ? "hex" : "binary";
    await this.rpc.call("wsdeck.send", { id: this.requireId(), [key]: input });
  }

  async ping(data = ""): Promise<void> {
    await this.rpc.call("wsdeck.ping", { id: this.requireId(), data });
  }

  async pong(data = ""): Promise<void> {
    await this.rpc.call("wsdeck.pong", { id: this.requireId(), data });
  }

  /** Stops listening; call when the tab closes. */
  dispose(): void {
    const id = this.sessionId.peek();
    if (id) void this.rpc.call("wsdeck.forget", { id }).catch(() => undefined);
    this.stopNotifications();
    this.stopLinkWatch();
    this.listeners.clear();
  }

  /** The handshake of the session just opened (for the console's `open` line). */
  private async loadHandshake(): Promise<void> {
    const id = this.sessionId.peek();
    if (!id) return;
    try {
      this.handshake.value = await this.rpc.call("wsdeck.handshake", { id });
    } catch {
      // The console shows the open event without its handshake line.
    }
  }

  private requireId(): string {
    const id = this.sessionId.peek();
    if (!id || this.state.peek() !== "open") throw new Error("Not connected: connect first.");
    return id;
  }

  private reset(): void {
    const old = this.subscription;
    if (old) void this.rpc.call("wsdeck.unsubscribe", { subscription: old }).catch(() => undefined);
    this.subscription = null;
    // wsdeck keeps a session's log until it is forgotten: free the previous one.
    const oldId = this.sessionId.peek();
    if (oldId) void this.rpc.call("wsdeck.forget", { id: oldId }).catch(() => undefined);
    batch(() => {
      this.sessionId.value = null;
      this.state.value = "idle";
      this.handshake.value = null;
      this.total.value = 0;
      this.connectionEvents.value = [];
      this.error.value = "";
    });
  }

  private markLost(): void {
    this.subscription = null;
    batch(() => {
      if (this.state.peek() !== "closed" && this.state.peek() !== "idle") {
        this.state.value = "closed";
        this.error.value =
          "The connection to wsdeck was lost, and this session with it. Connect again.";
      }
    });
  }

  private onNotification(n: EventsNotification): void {
    if (n.subscription !== this.subscription && n.id !== this.sessionId.peek()) return;
    if (n.id !== this.sessionId.peek()) return;
    // Per batch: only the connection events and the length; the messages pane counts rates.
    const conn = n.events.filter(isConnectionEvent);
    const last = n.events[n.events.length - 1];
    batch(() => {
      if (last) this.total.value = last.seq + 1;
      if (conn.length > 0) {
        this.connectionEvents.value = [...this.connectionEvents.peek(), ...conn];
        for (const e of conn) this.apply(e);
      }
    });
    for (const l of this.listeners) l(n.events, n.missed);
    if (n.atEnd) this.subscription = null;
  }

  private apply(e: WsEvent): void {
    switch (e.type) {
      case "connecting":
      case "reconnecting":
        this.state.value = "connecting";
        break;
      case "open":
        this.state.value = "open";
        this.error.value = "";
        void this.loadHandshake();
        break;
      case "closing":
        this.state.value = "closing";
        break;
      case "closed":
        this.state.value = "closed";
        break;
      case "error":
        this.error.value = e.message;
        break;
      default:
        break;
    }
  }
}
