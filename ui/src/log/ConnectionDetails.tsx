// An expanded connection row: what the event says, as tables a person reads (the handshake's
// heads and timings, a close's code and who closed, an error's class) instead of its JSON —
// which stays one click away.

import type { ComponentChildren } from "preact";
import type { Handshake, HttpHead, WsEvent } from "../types";
import { closeCodeName, formatDateTime } from "./format";

type ConnectionEvent = Exclude<WsEvent, { type: "message" | "ping" | "pong" }>;

function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="log-kv">
      {rows.map(([k, v]) => [<dt key={`${k}-t`}>{k}</dt>, <dd key={`${k}-d`}>{v}</dd>])}
    </dl>
  );
}

function Head({ title, head }: { title: string; head: HttpHead }) {
  return (
    <section class="conn-head" aria-label={title}>
      <h4>{title}</h4>
      <p class="conn-start">{head.startLine}</p>
      <table class="conn-headers">
        <thead>
          <tr>
            <th scope="col">Header</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          {head.headers.map(([name, value], i) => (
            <tr key={i}>
              <td>{name}</td>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const ms = (n: number) => `${n.toFixed(1)} ms`;

function HandshakeTables({ h }: { h: Handshake }) {
  return (
    <>
      <Fields
        rows={[
          ["Remote address", h.remoteAddr],
          ["TLS", h.tls ?? "none (ws://)"],
          ["Subprotocol", h.protocol ?? "none"],
          ["Extensions", h.extensions.length ? h.extensions.join(", ") : "none"],
        ]}
      />
      <section class="conn-head" aria-label="Timings">
        <h4>Timings</h4>
        <Fields
          rows={[
            ["DNS", ms(h.timings.dnsMs)],
            ["Connect", ms(h.timings.connectMs)],
            ["TLS", ms(h.timings.tlsMs)],
            ["Upgrade", ms(h.timings.upgradeMs)],
            ["Total", ms(h.timings.totalMs)],
          ]}
        />
      </section>
      <Head title="Request" head={h.request} />
      <Head title="Response" head={h.response} />
    </>
  );
}

/** The fields of one connection event, by its kind. */
function details(e: ConnectionEvent): ComponentChildren {
  switch (e.type) {
    case "connecting":
      return (
        <Fields
          rows={[
            ["URL", e.url],
            ["Attempt", String(e.attempt + 1)],
          ]}
        />
      );
    case "redirect":
      return (
        <Fields
          rows={[
            ["Status", String(e.status)],
            ["From", e.from],
            ["To", e.to],
            ["Hop", String(e.hop)],
            ["Headers not sent on", e.droppedHeaders.length ? e.droppedHeaders.join(", ") : "none"],
          ]}
        />
      );
    case "open":
      return (
        <>
          <Fields rows={[["URL", e.url]]} />
          {e.handshake ? <HandshakeTables h={e.handshake} /> : null}
        </>
      );
    case "closing":
      return (
        <Fields
          rows={[
            ["Close frame", e.direction === "out" ? "sent" : "received"],
            ["Code", e.code === null ? "none" : `${e.code} ${closeCodeName(e.code)}`],
            ["Reason", e.reason || "none"],
          ]}
        />
      );
    case "closed":
      return (
        <Fields
          rows={[
            [
              "Code",
              e.code !== null
                ? `${e.code} ${closeCodeName(e.code)}`
                : e.clean
                  ? `1005 ${closeCodeName(1005)}`
                  : `1006 ${closeCodeName(1006)}`,
            ],
            ["Reason", e.reason || "none"],
            ["Clean", e.clean ? "yes: both close frames were exchanged" : "no"],
            ["Closed by", e.initiator === "local" ? "wsdeck" : "the server"],
          ]}
        />
      );
    case "error": {
      const rows: [string, string][] = [
        ["Error", e.message],
        ["Class", e.class],
      ];
      if (e.status !== undefined) rows.push(["Status", String(e.status)]);
      return (
        <>
          <Fields rows={rows} />
          {e.request ? <Head title="Request" head={e.request} /> : null}
          {e.response ? <Head title="Response" head={e.response} /> : null}
        </>
      );
    }
    case "reconnecting":
      return (
        <Fields
          rows={[
            ["Attempt", `${e.attempt} of ${e.of}`],
            ["Waiting", ms(e.delayMs)],
          ]}
        />
      );
  }
}

export function ConnectionDetails({ event }: { event: ConnectionEvent }) {
  return (
    <div class="conn-details" aria-label={`Event ${event.seq} details`} role="group">
      <Fields rows={[["Time", formatDateTime(event.time)]]} />
      {details(event)}
      <details class="conn-json">
        <summary>As JSON</summary>
        <pre>{JSON.stringify(event, null, 2)}</pre>
      </details>
    </div>
  );
}
