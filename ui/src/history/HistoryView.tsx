// A history tab's panel: the recorded session's summary (in place of the request pane),
// then the same messages pane and console as a live tab, reading from the history.

import type { Ref } from "preact";
import { useState } from "preact/hooks";
import { ConsolePanel, MessagesPane } from "../log";
import { formatDateTime } from "../log/format";
import type { Rpc } from "../rpc";
import { exportFileName, historyActionError, historyError } from "./convert";
import { Modal } from "../widgets/Modal";
import type { HistoryStore } from "./store";
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
  store,
  tab,
  openAsRequest,
  searchRef,
}: {
  rpc: Rpc;
  store: HistoryStore;
  tab: HistoryTab;
  openAsRequest: (tab: HistoryTab) => void;
  /** The messages pane's search box, for whoever moves focus to it (the `/` shortcut). */
  searchRef?: Ref<HTMLInputElement>;
}) {
  const session = tab.session;
  const s = session.info.value;
  const [note, setNote] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState<"export" | "delete" | null>(null);
  const [confirming, setConfirming] = useState(false);
  if (!s) return null;
  const headers = s.request?.headers ?? [];
  const protocols = s.request?.protocols ?? [];

  const exportAs = async (format: "har" | "jsonl") => {
    setBusy("export");
    setNote(null);
    try {
      const text = await store.exportText(s.id, format);
      const name = exportFileName(s.id, format);
      downloadText(text, name, format === "har" ? "application/json" : "application/x-ndjson");
      setNote({ text: `Exported ${name}.`, error: false });
    } catch (e) {
      setNote({ text: `Could not export the session: ${historyError(e)}`, error: true });
    } finally {
      setBusy(null);
    }
  };

  const remove = async () => {
    setBusy("delete");
    setNote(null);
    try {
      // On success the store tells the workbench, which closes this tab.
      await store.deleteSessions([s.id]);
    } catch (e) {
      setConfirming(false);
      setNote({
        text: `Could not delete session ${s.id}: ${historyActionError(e)}`,
        error: true,
      });
      setBusy(null);
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
          <button
            type="button"
            class="small"
            disabled={busy !== null}
            onClick={() => void exportAs("har")}
          >
            Export HAR
          </button>
          <button
            type="button"
            class="small"
            disabled={busy !== null}
            onClick={() => void exportAs("jsonl")}
          >
            Export JSON lines
          </button>
          <button
            type="button"
            class="small danger"
            disabled={busy !== null}
            onClick={() => setConfirming(true)}
          >
            Delete session
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
        {session.notice.value ? (
          <p class="history-note" role="note">
            {session.notice.value}
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
      <MessagesPane rpc={rpc} session={session} searchRef={searchRef} />
      <ConsolePanel rpc={rpc} session={session} />
      {confirming ? (
        <Modal
          class="history-dialog"
          title={`Delete session ${s.id}?`}
          id={`history-${tab.id}-delete-title`}
          describedBy={`history-${tab.id}-delete-text`}
          role="alertdialog"
          onCancel={() => {
            if (busy !== "delete") setConfirming(false);
          }}
        >
          <p id={`history-${tab.id}-delete-text`}>
            Recorded session {s.id} ({s.url}, {s.eventCount.toLocaleString("en-US")}{" "}
            {s.eventCount === 1 ? "event" : "events"}) is removed from the history for good, with
            its messages. This cannot be undone.
          </p>
          <div class="dialog-buttons">
            <button
              type="button"
              data-autofocus
              disabled={busy === "delete"}
              onClick={() => setConfirming(false)}
            >
              Cancel
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy === "delete"}
              onClick={() => void remove()}
            >
              {busy === "delete" ? "Deleting…" : "Delete"}
            </button>
          </div>
        </Modal>
      ) : null}
    </>
  );
}
