// A history tab's panel: the recorded session's summary (in place of the request pane),
// then the same messages pane and console as a live tab, reading from the history.

import { useState } from "preact/hooks";
import { ConsolePanel, MessagesPane } from "../log";
import { formatDateTime } from "../log/format";
import type { Rpc } from "../rpc";
import { exportFileName, historyError } from "./convert";
import type { HistoryTab } from "./tab";
import "./history.css";

/** Offers `text` as a file download (a Blob URL; the page's CSP allows blob:). */
export function downloadText(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.rel = "noopener";
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function HistoryView({
  rpc,
  tab,
  openAsRequest,
}: {
  rpc: Rpc;
  tab: HistoryTab;
  openAsRequest: (tab: HistoryTab) => void;
}) {
  const session = tab.session;
  const s = session.info.value;
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [exporting, setExporting] = useState(false);
  if (!s) return null;
  const headers = s.request?.headers ?? [];
  const protocols = s.request?.protocols ?? [];

  const exportHar = async () => {
    setExporting(true);
    setNote(null);
    try {
      const r = await rpc.call<{ text: string }>("wsdeck.history.export", {
        ids: [s.id],
        format: "har",
      });
      const name = exportFileName(s.id, "har");
      downloadText(r.text, name, "application/json");
      setNote({ text: `Exported ${name}.`, error: false });
    } catch (e) {
      setNote({ text: `Could not export the session: ${historyError(e)}`, error: true });
    } finally {
      setExporting(false);
    }
  };

  const titleId = `history-${tab.id}-title`;
  return (
    <>
      <section class="history-summary" aria-labelledby={titleId}>
        <div class="history-summary-head">
          <h2 id={titleId}>Recorded session {s.id}</h2>
          <span class="history-readonly">Read-only</span>
          <span class="spacer" />
          <button type="button" class="small" onClick={() => openAsRequest(tab)}>
            Open as new request
          </button>
          <button type="button" class="small" disabled={exporting} onClick={() => void exportHar()}>
            Export HAR
          </button>
        </div>
        {note ? (
          <p
            class={note.error ? "sidebar-error" : "history-note"}
            role={note.error ? "alert" : "status"}
          >
            {note.text}
          </p>
        ) : null}
        {session.error.value ? (
          <p class="sidebar-error" role="alert">
            {session.error.value}
          </p>
        ) : null}
        <dl class="history-kv">
          <dt>URL</dt>
          <dd>
            <code>{s.url}</code>
          </dd>
          <dt>Started</dt>
          <dd>{formatDateTime(s.startedAt)}</dd>
          <dt>Ended</dt>
          <dd>{s.endedAt ? formatDateTime(s.endedAt) : "Not recorded (still open or cut off)"}</dd>
          <dt>Close</dt>
          <dd>
            {s.closeCode === null
              ? "No close code"
              : `${s.closeCode}${s.closeReason ? ` · ${s.closeReason}` : ""}`}
          </dd>
          <dt>Events</dt>
          <dd>
            {s.eventCount.toLocaleString("en-US")} ({s.bytes.toLocaleString("en-US")} bytes)
          </dd>
          {protocols.length > 0 ? (
            <>
              <dt>Protocols</dt>
              <dd>{protocols.join(", ")}</dd>
            </>
          ) : null}
        </dl>
        {headers.length > 0 ? (
          <details class="history-headers">
            <summary>Request headers ({headers.length})</summary>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Value</th>
                </tr>
              </thead>
              <tbody>
                {headers.map(([n, v], i) => (
                  <tr key={i}>
                    <td>
                      <code>{n}</code>
                    </td>
                    <td>
                      <code>{v}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ) : (
          <p class="empty">No request headers were set.</p>
        )}
      </section>
      <MessagesPane rpc={rpc} session={session} />
      <ConsolePanel rpc={rpc} session={session} />
    </>
  );
}
