// "History settings": what the history holds, and how long / how much of it is kept.

import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import {
  MAX_AGE_DAYS,
  MAX_MIB,
  deletedSummary,
  historyActionError,
  historySize,
  limitText,
  parseLimit,
  retentionSummary,
} from "./convert";
import { Modal } from "../widgets/Modal";
import type { HistoryRetention, HistoryStore } from "./store";

export function HistorySettingsDialog({
  store,
  onClose,
}: {
  store: HistoryStore;
  onClose: () => void;
}) {
  const [current, setCurrent] = useState<HistoryRetention | null>(null);
  const [loadError, setLoadError] = useState("");
  const [days, setDays] = useState("");
  const [mib, setMib] = useState("");
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<{ text: string; error: boolean } | null>(null);
  const daysBox = useRef<HTMLInputElement>(null);
  const mibBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    store.retention().then(
      (r) => {
        if (!live) return;
        setCurrent(r);
        setDays(limitText(r.maxAgeDays));
        setMib(limitText(r.maxMib));
        setLoadError("");
        // The fields were disabled while reading: focus the first one now.
        setTimeout(() => {
          const box = daysBox.current;
          const at = document.activeElement;
          if (at === document.body || box?.closest("dialog")?.contains(at)) box?.focus();
        }, 0);
      },
      (e: unknown) => {
        if (live) setLoadError(`Could not read the history's settings: ${historyActionError(e)}`);
      },
    );
    return () => {
      live = false;
    };
  }, [store]);

  const daysParsed = parseLimit(days, "days", MAX_AGE_DAYS);
  const mibParsed = parseLimit(mib, "MiB", MAX_MIB);

  const save = async () => {
    if (!daysParsed.ok || !mibParsed.ok) {
      (daysParsed.ok ? mibBox : daysBox).current?.focus();
      return;
    }
    setSaving(true);
    setResult(null);
    try {
      const r = await store.setRetention(daysParsed.value, mibParsed.value);
      setCurrent(r);
      setDays(limitText(r.maxAgeDays));
      setMib(limitText(r.maxMib));
      setResult({ text: `Saved. ${deletedSummary(r.pruned)}`, error: false });
    } catch (e) {
      setResult({ text: `Could not save the settings: ${historyActionError(e)}`, error: true });
    } finally {
      setSaving(false);
    }
  };

  const field = (
    ref: RefObject<HTMLInputElement>,
    id: string,
    label: string,
    value: string,
    set: (v: string) => void,
    parsed: ReturnType<typeof parseLimit>,
    placeholder: string,
  ) => (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        ref={ref}
        id={id}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        placeholder={placeholder}
        value={value}
        disabled={current === null}
        aria-invalid={parsed.ok ? undefined : "true"}
        aria-describedby={parsed.ok ? undefined : `${id}-error`}
        onInput={(e) => {
          set(e.currentTarget.value);
          setResult(null);
        }}
      />
      {parsed.ok ? null : (
        <p id={`${id}-error`} class="field-error">
          {parsed.error}
        </p>
      )}
    </div>
  );

  return (
    <Modal
      class="history-dialog"
      title="History settings"
      id="history-settings-title"
      describedBy="history-settings-help"
      onCancel={onClose}
    >
      <form
        class="history-settings"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <p id="history-settings-help" class="history-settings-help">
          Limits are applied now and every 10 minutes while wsdeck records; sessions being recorded
          are kept. Empty means no limit (by default nothing is deleted).
        </p>
        {current ? (
          <dl class="history-kv">
            <dt>History size</dt>
            <dd>{historySize(current)}</dd>
            <dt>Retention</dt>
            <dd>{retentionSummary(current)}</dd>
          </dl>
        ) : loadError ? null : (
          <p class="empty">Reading the history's settings…</p>
        )}
        {loadError ? (
          <p class="sidebar-error" role="alert">
            {loadError}
          </p>
        ) : null}
        {field(
          daysBox,
          "history-keep-days",
          "Keep sessions for (days)",
          days,
          setDays,
          daysParsed,
          "No limit",
        )}
        {field(
          mibBox,
          "history-keep-mib",
          "Keep at most (MiB)",
          mib,
          setMib,
          mibParsed,
          "No limit",
        )}
        <p class="history-note history-notice" role="status">
          {result && !result.error ? result.text : ""}
        </p>
        {result?.error ? (
          <p class="sidebar-error" role="alert">
            {result.text}
          </p>
        ) : null}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" class="primary" disabled={current === null || saving}>
            {saving ? "Saving…" : "Save"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
