// Editable key/value rows (Params, Headers): each row has its own labelled controls.

import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { KeyValueRow } from "./params";

export interface RowsEditorProps {
  rows: KeyValueRow[];
  onChange: (rows: KeyValueRow[]) => void;
  /** "Param" or "Header": the start of every label. */
  noun: string;
  /** "key" or "name": what the first column is called. */
  keyWord: string;
  keyPlaceholder: string;
  disabled: boolean;
  /** What is wrong with a row's key, said under the row while it is typed ("" when fine). */
  keyProblem?: (key: string) => string;
}

export function RowsEditor({
  rows,
  onChange,
  noun,
  keyWord,
  keyPlaceholder,
  disabled,
  keyProblem,
}: RowsEditorProps) {
  const box = useRef<HTMLDivElement>(null);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  const lower = noun.toLowerCase();

  useLayoutEffect(() => {
    if (!focusTarget || !box.current) return;
    const el = box.current.querySelector<HTMLElement>(`[data-focus="${focusTarget}"]`);
    el?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const edit = (i: number, change: Partial<KeyValueRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));

  return (
    <div class="rows" ref={box}>
      {rows.length === 0 ? <p class="empty">No {lower}s yet.</p> : null}
      {rows.length > 0 ? (
        <div class="row row-head" aria-hidden="true">
          <span />
          <span>{keyWord === "key" ? "Key" : "Name"}</span>
          <span>Value</span>
          <span />
        </div>
      ) : null}
      {rows.map((row, i) => {
        const n = i + 1;
        const problem = keyProblem?.(row.key) ?? "";
        const problemId = `${lower}-${i}-problem`;
        return (
          <div class="row" key={i}>
            <input
              type="checkbox"
              aria-label={`${noun} ${n} enabled`}
              checked={row.enabled}
              disabled={disabled}
              onChange={(e) => edit(i, { enabled: e.currentTarget.checked })}
            />
            <input
              type="text"
              aria-label={`${noun} ${n} ${keyWord}`}
              data-focus={`key-${i}`}
              value={row.key}
              placeholder={keyPlaceholder}
              disabled={disabled}
              spellcheck={false}
              aria-invalid={problem ? true : undefined}
              aria-describedby={problem ? problemId : undefined}
              onInput={(e) => edit(i, { key: e.currentTarget.value })}
            />
            <input
              type="text"
              aria-label={`${noun} ${n} value`}
              value={row.value}
              placeholder="Value"
              disabled={disabled}
              spellcheck={false}
              onInput={(e) => edit(i, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              class="icon-button"
              aria-label={`Remove ${lower} ${n}`}
              title={`Remove ${lower} ${n}`}
              disabled={disabled}
              onClick={() => {
                onChange(rows.filter((_, j) => j !== i));
                setFocusTarget(i < rows.length - 1 ? `key-${i}` : i > 0 ? `key-${i - 1}` : "add");
              }}
            >
              ×
            </button>
            {problem ? (
              <p class="field-error row-problem" id={problemId} role="alert">
                {problem}
              </p>
            ) : null}
          </div>
        );
      })}
      <button
        type="button"
        class="add-button"
        data-focus="add"
        disabled={disabled}
        onClick={() => {
          onChange([...rows, { key: "", value: "", enabled: true }]);
          setFocusTarget(`key-${rows.length}`);
        }}
      >
        Add {lower}
      </button>
    </div>
  );
}
