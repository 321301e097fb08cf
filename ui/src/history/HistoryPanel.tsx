// The sidebar's "History" section: recorded sessions newest first, a full-text search whose
// hits open the session at the message, and a refresh button.

import { useEffect, useRef, useState } from "preact/hooks";
import { formatBytes } from "../log/format";
import { MAX_REQUEST_BYTES } from "../rpc";
import {
  harFitsOneRequest,
  historyActionError,
  hostPath,
  localTime,
  sessionDetails,
  sessionLabel,
  snippetParts,
} from "./convert";
import { HistorySettingsDialog } from "./HistorySettings";
import type { HistoryStore } from "./store";
import "./history.css";

export interface HistoryActions {
  /** Opens recorded session `id` (at message `seq` when given). */
  open: (id: number, seq?: number) => void;
}

export function HistoryPanel({
  store,
  actions,
  openId,
}: {
  store: HistoryStore;
  actions: HistoryActions;
  /** The recorded session the active tab shows. */
  openId: number | null;
}) {
  const [query, setQuery] = useState("");
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [importError, setImportError] = useState("");
  const picker = useRef<HTMLInputElement>(null);

  const importFile = async (file: File) => {
    setImportError("");
    const tooLarge = () =>
      setImportError(
        `${file.name} is ${formatBytes(file.size)}; the workbench imports HAR files of up to about ${formatBytes(MAX_REQUEST_BYTES)}. Import it with: wsdeck history import ${file.name}`,
      );
    // Escaped in a request it only grows: larger than the limit, it cannot fit.
    if (file.size > MAX_REQUEST_BYTES) return tooLarge();
    try {
      const text = await file.text();
      if (!harFitsOneRequest(text)) return tooLarge();
      await store.importHar(text, file.name);
    } catch (e) {
      setImportError(`Could not import ${file.name}: ${historyActionError(e)}`);
    }
  };
  useEffect(() => {
    const t = setTimeout(() => void store.search(query), 300);
    return () => clearTimeout(t);
  }, [store, query]);

  const status = store.status.value;
  const sessions = store.sessions.value;
  const hits = store.hits.value;
  const searchError = store.searchError.value;
  const now = new Date();
  /** Search results replace the list of sessions until the search box is emptied. */
  const searching = hits !== null && query.trim() !== "";

  return (
    <section class="history" aria-labelledby="history-title">
      <div class="sidebar-head">
        <h2 class="sidebar-title" id="history-title">
          History
        </h2>
        <span class="history-head-buttons">
          <button type="button" class="small" onClick={() => void store.refresh()}>
            Refresh history
          </button>
          {status === "unavailable" ? null : (
            <button
              type="button"
              class="small"
              aria-haspopup="dialog"
              aria-label="History settings"
              title="History settings: size and retention"
              onClick={() => setSettingsOpen(true)}
            >
              Settings
            </button>
          )}
          {status === "unavailable" ? null : (
            <button
              type="button"
              class="small"
              aria-label="Import HAR file"
              title="Import a HAR file's WebSocket sessions (as Chrome DevTools exports them)"
              onClick={() => picker.current?.click()}
            >
              Import
            </button>
          )}
          <input
            ref={picker}
            type="file"
            accept=".har,application/json"
            hidden
            aria-label="HAR file to import"
            onChange={(e) => {
              const file = e.currentTarget.files?.[0];
              e.currentTarget.value = "";
              if (file) void importFile(file);
            }}
          />
        </span>
      </div>
      {importError ? (
        <p class="sidebar-error" role="alert">
          {importError}
        </p>
      ) : null}
      {settingsOpen ? (
        <HistorySettingsDialog store={store} onClose={() => setSettingsOpen(false)} />
      ) : null}
      {status === "unavailable" ? (
        <p class="sidebar-note" role="note">
          {store.error.value || "The history is not available here."}
        </p>
      ) : (
        <>
          <input
            type="search"
            class="sidebar-filter"
            aria-label="Search history"
            placeholder="Search history"
            title='Words, "phrases", AND / OR / NOT, prefix*; other text (a-b, key:value) is searched as typed'
            value={query}
            onInput={(e) => setQuery(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                void store.search(query);
              } else if (e.key === "Escape") setQuery("");
            }}
          />
          {searchError ? (
            <p class="sidebar-error" role="alert">
              {searchError}
            </p>
          ) : null}
          {searching ? (
            <>
              <p class="history-count" role="status">
                {hits.length === 0
                  ? "Nothing in the history matches."
                  : `${hits.length} ${hits.length === 1 ? "match" : "matches"}${hits.length >= 50 ? " (the first 50)" : ""}`}
              </p>
              {hits.length > 0 ? (
                <ul class="history-list" aria-label="History search results">
                  {hits.map((h) => {
                    // Where the hit is, when its session is among those listed (the newest).
                    const s = sessions.find((x) => x.id === h.session);
                    const where = s
                      ? `${localTime(s.startedAt, now)} · ${hostPath(s.url)}`
                      : `Session ${h.session}`;
                    return (
                      <li key={`${h.session}-${h.seq}`}>
                        <button
                          type="button"
                          class="history-item history-hit"
                          aria-label={`Session ${h.session}, message ${h.seq}: ${h.snippet.replace(/[«»]/g, "")}`}
                          title={s?.url}
                          onClick={() => actions.open(h.session, h.seq)}
                        >
                          <span class="history-meta">
                            {where} · #{h.seq}
                          </span>
                          <span class="history-snippet">
                            {snippetParts(h.snippet).map((p, i) =>
                              p.mark ? (
                                <mark key={i}>{p.text}</mark>
                              ) : (
                                <span key={i}>{p.text}</span>
                              ),
                            )}
                          </span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              ) : null}
            </>
          ) : null}
          <p class="history-note history-notice" role="status">
            {store.notice.value}
          </p>
          {status === "loading" ? <p class="empty">Loading the history…</p> : null}
          {status === "ready" && sessions.length === 0 ? (
            <p class="empty">No recorded sessions yet. Sessions you connect are recorded.</p>
          ) : null}
          {sessions.length > 0 && !searching ? (
            <ul class="history-list" aria-label="Recorded sessions">
              {sessions.map((s) => (
                <li key={s.id}>
                  <button
                    type="button"
                    class={`history-item${openId === s.id ? " current" : ""}`}
                    aria-label={sessionLabel(s, now)}
                    aria-current={openId === s.id ? "true" : undefined}
                    title={s.url}
                    onClick={() => actions.open(s.id)}
                  >
                    <span class="history-line">
                      <span class="history-time">{localTime(s.startedAt, now)}</span>
                      <span class="history-url">{hostPath(s.url)}</span>
                    </span>
                    <span class="history-meta">{sessionDetails(s)}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          {store.more.value && !searching ? (
            <button type="button" class="add-button" onClick={() => void store.loadOlder()}>
              Show older sessions
            </button>
          ) : null}
          {store.error.value ? (
            <p class="sidebar-error" role="alert">
              {store.error.value}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
