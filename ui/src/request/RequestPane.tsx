// The request: URL bar with Connect, then Message / Params / Headers / Protocols / Settings.

import { useMemo, useState } from "preact/hooks";
import { Composer } from "../composer/Composer";
import { CodeEditor } from "../editor/CodeEditor";
import { ConnectionBadge } from "../log";
import type { Rpc } from "../rpc";
import type { Variable } from "../types";
import type { RequestWorkspace } from "./workspace";
import { SUB_TABS, pairs, type RequestTab, type SubTab } from "./model";
import { ProtocolsEditor } from "./ProtocolsEditor";
import { RowsEditor } from "./RowsEditor";
import { headerNameProblem } from "./headers";
import { SettingsEditor } from "./SettingsEditor";
import { capitalized, requestError } from "../errors";
import { handleTabKey } from "../widgets/tablist";
import { CopyAsDialog } from "./CopyAsDialog";

export function RequestPane({
  rpc,
  tab,
  variables,
  workspace,
}: {
  rpc: Rpc;
  tab: RequestTab;
  variables: Variable[];
  workspace: RequestWorkspace;
}) {
  const [copying, setCopying] = useState(false);
  const saved = tab.saved.value;
  const canSave = workspace.status.value === "ready";
  const conflict = tab.conflict.value;
  const state = tab.session.state.value;
  const locked = tab.locked.value;
  const error = capitalized(tab.localError.value || tab.session.error.value);
  const connect = () => void tab.connect(variables);
  const prefix = `t${tab.id}`;
  const errorId = `${prefix}-url-error`;
  const lockId = `${prefix}-url-lock`;
  const sub = tab.subTab.value;
  // Params, Headers and Protocols show the same note themselves: it is not said twice.
  const urlLockNote = locked && sub !== "Params" && sub !== "Headers" && sub !== "Protocols";
  const urlAttrs = useMemo(() => {
    const ids = [error ? errorId : "", urlLockNote ? lockId : ""].filter(Boolean).join(" ");
    return ids ? { "aria-describedby": ids } : ({} as Record<string, string>);
  }, [error, errorId, urlLockNote, lockId]);

  let button;
  if (state === "connecting") {
    button = (
      <button
        type="button"
        class="primary secondary-look"
        onClick={() => void tab.session.disconnect().catch(() => undefined)}
      >
        Cancel
      </button>
    );
  } else if (state === "open" || state === "closing") {
    button = (
      <button
        type="button"
        class="primary secondary-look"
        // Not `disabled` while closing: a disabled button drops the keyboard focus.
        aria-disabled={state === "closing" ? "true" : undefined}
        onClick={() => {
          if (tab.session.state.peek() !== "open") return;
          // 1000 "normal closure", as Postman and browsers send when you close.
          void tab.session
            .disconnect(1000)
            .catch((e: unknown) => (tab.localError.value = requestError(e)));
        }}
      >
        Disconnect
      </button>
    );
  } else {
    button = (
      <button type="button" class="primary" onClick={connect}>
        Connect
      </button>
    );
  }

  const counts: Partial<Record<SubTab, number>> = {
    Params: tab.params.value.filter((r) => r.enabled && r.key).length,
    Headers: tab.headers.value.filter((r) => r.enabled && r.key).length,
    Protocols: tab.protocols.value.filter((p) => p.trim()).length,
  };
  const requestLock = "The request can't be changed while connected. Disconnect to change it.";
  const lockNote = locked ? (
    <p class="lock-note" role="note">
      {requestLock}
    </p>
  ) : null;
  // The Settings tab keeps its own wording.
  const settingsLockNote = locked ? (
    <p class="lock-note" role="note">
      Settings can't be changed while connected. Disconnect to change them.
    </p>
  ) : null;

  return (
    <section class="request" aria-label="Request">
      <div class="url-bar">
        <CodeEditor
          value={tab.url.value}
          onChange={(v) => {
            if (!tab.locked.peek()) tab.setUrl(v);
          }}
          readOnly={locked}
          ariaLabel="URL"
          autoFocus={tab.focusUrl}
          rpc={rpc}
          variables={variables}
          singleLine
          onSubmit={() => {
            if (!tab.locked.peek()) connect();
          }}
          placeholder="ws://localhost:8080 or wss://… — type {{ for variables"
          className="url-field"
          contentAttributes={urlAttrs}
        />
        {button}
        <ConnectionBadge rpc={rpc} session={tab.session} />
        <button type="button" title="As a command line or code" onClick={() => setCopying(true)}>
          Copy as…
        </button>
        {copying ? (
          <CopyAsDialog
            request={{
              url: tab.url.peek().trim(),
              headers: pairs(tab.headers.peek()),
              protocols: tab.protocols
                .peek()
                .map((p) => p.trim())
                .filter((p) => p !== ""),
              message: tab.format.peek() === "binary" ? "" : tab.message.peek(),
            }}
            onClose={() => setCopying(false)}
          />
        ) : null}
        {canSave ? (
          <>
            <button
              type="button"
              title="Save (Ctrl/Cmd+S)"
              onClick={() => void workspace.saveTab(tab)}
            >
              Save
            </button>
            {saved ? (
              <button type="button" onClick={() => void workspace.saveTab(tab, { asNew: true })}>
                Save as…
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      {conflict ? (
        <div class="conflict" role="alert">
          <span>{conflict}</span>
          <button
            type="button"
            class="small"
            onClick={() => void workspace.saveTab(tab, { force: true })}
          >
            Overwrite
          </button>
          <button
            type="button"
            class="small"
            onClick={() => {
              const id = tab.saved.peek()?.id;
              if (!id) return;
              if (tab.locked.peek()) {
                tab.conflict.value = "Disconnect first to reload the request from disk.";
                return;
              }
              void workspace.fetch(id).then((r) => {
                if (r) tab.loadSaved(r);
                else
                  tab.conflict.value = "That request is no longer on disk; Save creates it again.";
              });
            }}
          >
            Reload from disk
          </button>
        </div>
      ) : null}
      {urlLockNote ? (
        <p class="lock-note url-lock-note" id={lockId}>
          {requestLock}
        </p>
      ) : null}
      <div role="alert" id={errorId} class="url-error">
        {error}
      </div>
      <div class="subtabs" role="tablist" aria-label="Request details">
        {SUB_TABS.map((name, i) => {
          const selected = name === sub;
          const count = counts[name];
          return (
            <button
              type="button"
              role="tab"
              id={`${prefix}-sub-${name}`}
              aria-selected={selected}
              aria-controls={`${prefix}-panel-${name}`}
              tabIndex={selected ? 0 : -1}
              class="subtab"
              key={name}
              onClick={() => (tab.subTab.value = name)}
              onKeyDown={(e) =>
                handleTabKey(
                  e,
                  i,
                  SUB_TABS.length,
                  (j) => (tab.subTab.value = SUB_TABS[j] ?? "Message"),
                )
              }
            >
              {name}
              {count ? (
                <span class="count" aria-hidden="true">
                  {count}
                </span>
              ) : null}
            </button>
          );
        })}
      </div>
      {SUB_TABS.map((name) => (
        <div
          role="tabpanel"
          id={`${prefix}-panel-${name}`}
          aria-labelledby={`${prefix}-sub-${name}`}
          hidden={name !== sub}
          class="subpanel"
          key={name}
        >
          {name === "Message" ? (
            <Composer rpc={rpc} tab={tab} variables={variables} workspace={workspace} />
          ) : null}
          {name === "Params" && name === sub ? (
            <>
              {lockNote}
              <RowsEditor
                rows={tab.params.value}
                onChange={(rows) => tab.setParams(rows)}
                noun="Param"
                keyWord="key"
                keyPlaceholder="Key"
                disabled={locked}
              />
            </>
          ) : null}
          {name === "Headers" && name === sub ? (
            <>
              {lockNote}
              <RowsEditor
                rows={tab.headers.value}
                onChange={(rows) => (tab.headers.value = rows)}
                noun="Header"
                keyWord="name"
                keyPlaceholder="e.g. Authorization"
                disabled={locked}
                keyProblem={headerNameProblem}
              />
            </>
          ) : null}
          {name === "Protocols" && name === sub ? (
            <>
              {lockNote}
              <ProtocolsEditor
                protocols={tab.protocols.value}
                onChange={(p) => (tab.protocols.value = p)}
                disabled={locked}
              />
            </>
          ) : null}
          {name === "Settings" && name === sub ? (
            <>
              {settingsLockNote}
              <SettingsEditor
                tabId={tab.id}
                settings={tab.settings.value}
                onChange={(s) => (tab.settings.value = s)}
                disabled={locked}
              />
            </>
          ) : null}
        </div>
      ))}
    </section>
  );
}
