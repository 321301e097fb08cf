// The connection status badge with a details tooltip on hover and focus.

import { useState } from "preact/hooks";
import type { Rpc } from "../rpc";
import type { TabSession } from "../session";
import type { WsEvent } from "../types";
import { closeCodeName, describeConnection, stateLabel } from "./format";
import "./log.css";

let nextId = 0;

export function ConnectionBadge({ session }: { rpc: Rpc; session: TabSession }) {
  const [open, setOpenState] = useState(false);
  const [pos, setPos] = useState<preact.JSX.CSSProperties>({});
  const setOpen = (v: boolean, el?: HTMLElement) => {
    if (v && el) {
      // Fixed to the viewport (the request pane scrolls and would clip it), below the badge,
      // towards the side with room.
      const r = el.getBoundingClientRect();
      const right = r.left > window.innerWidth / 2;
      setPos({
        top: `${r.bottom + 6}px`,
        left: right ? "auto" : `${r.left}px`,
        right: right ? `${window.innerWidth - r.right}px` : "auto",
        maxHeight: `${Math.max(120, window.innerHeight - r.bottom - 16)}px`,
      });
    }
    setOpenState(v);
  };
  const [tipId] = useState(() => `conn-tip-${++nextId}`);
  const state = session.state.value;
  const text = stateLabel(state);
  const h = session.handshake.value;
  const events = session.connectionEvents.value;
  let closed: Extract<WsEvent, { type: "closed" }> | undefined;
  let openEv: Extract<WsEvent, { type: "open" }> | undefined;
  let closedOpened = false;
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (!closed && e?.type === "closed") closed = e;
    if (!openEv && e?.type === "open") {
      openEv = e;
      if (closed && e.seq < closed.seq) closedOpened = true;
    }
    // Only an open after the last connection attempt counts.
    if (closed && e?.type === "connecting" && e.seq < closed.seq) break;
  }
  const outcome = closed && !closedOpened ? describeConnection(events).get(closed.seq) : undefined;
  const error = session.error.value;
  return (
    <span
      class={`log-badge log-badge-${state}`}
      tabIndex={0}
      aria-label={`Connection status: ${text}`}
      aria-describedby={open ? tipId : undefined}
      title={`Connection status: ${text}`}
      onMouseEnter={(e) => setOpen(true, e.currentTarget)}
      onMouseLeave={() => setOpen(false)}
      onFocus={(e) => setOpen(true, e.currentTarget)}
      onBlur={() => setOpen(false)}
      onKeyDown={(e) => {
        if (e.key === "Escape") setOpen(false);
      }}
    >
      <span class="log-dot" aria-hidden="true" />
      <span aria-hidden="true">{text}</span>
      {open && (
        <div class="log-tooltip" style={pos} role="tooltip" id={tipId}>
          <div class="log-tip-title">{text}</div>
          {state === "idle" && <p>Connect to see the handshake and timings.</p>}
          {h ? (
            <>
              <dl class="log-kv">
                <dt>URL</dt>
                <dd>{h.url}</dd>
                <dt>Remote address</dt>
                <dd>{h.remoteAddr}</dd>
                <dt>Subprotocol</dt>
                <dd>{h.protocol ?? "none"}</dd>
                <dt>Extensions</dt>
                <dd>{h.extensions.length ? h.extensions.join(", ") : "none"}</dd>
                <dt>Timings</dt>
                <dd>
                  DNS {ms(h.timings.dnsMs)} · connect {ms(h.timings.connectMs)} · TLS{" "}
                  {ms(h.timings.tlsMs)} · upgrade {ms(h.timings.upgradeMs)} · total{" "}
                  {ms(h.timings.totalMs)}
                </dd>
              </dl>
              <div class="log-tip-head">Request</div>
              <pre class="log-headers">
                {h.request.startLine +
                  "\n" +
                  h.request.headers.map(([k, v]) => `${k}: ${v}`).join("\n")}
              </pre>
              <div class="log-tip-head">Response</div>
              <pre class="log-headers">
                {h.response.startLine +
                  "\n" +
                  h.response.headers.map(([k, v]) => `${k}: ${v}`).join("\n")}
              </pre>
            </>
          ) : (
            openEv && (
              <dl class="log-kv">
                <dt>URL</dt>
                <dd>{openEv.url}</dd>
                <dt>Subprotocol</dt>
                <dd>{openEv.protocol ?? "none"}</dd>
              </dl>
            )
          )}
          {outcome && <p>{outcome.join(". ")}.</p>}
          {closed && !outcome && (
            <dl class="log-kv">
              <dt>Close code</dt>
              <dd>
                {closed.code === null ? "none" : `${closed.code} ${closeCodeName(closed.code)}`}
              </dd>
              <dt>Close reason</dt>
              <dd>{closed.reason || "none"}</dd>
              <dt>Closed by</dt>
              <dd>
                {closed.initiator === "local" ? "us" : "the server"}
                {closed.clean ? "" : " (not clean)"}
              </dd>
            </dl>
          )}
          {error && <p class="log-error">{error}</p>}
        </div>
      )}
    </span>
  );
}

function ms(v: number): string {
  return `${Math.round(v * 100) / 100} ms`;
}
