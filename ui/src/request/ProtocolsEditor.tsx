import { useLayoutEffect, useRef, useState } from "preact/hooks";

export function ProtocolsEditor(props: {
  protocols: string[];
  onChange: (protocols: string[]) => void;
  disabled: boolean;
}) {
  const { protocols, onChange, disabled } = props;
  const box = useRef<HTMLDivElement>(null);
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  useLayoutEffect(() => {
    if (!focusTarget || !box.current) return;
    box.current.querySelector<HTMLElement>(`[data-focus="${focusTarget}"]`)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  return (
    <div class="rows" ref={box}>
      <p class="help">
        Subprotocols offered in the <code>Sec-WebSocket-Protocol</code> header, in order of
        preference. The server picks one.
      </p>
      {protocols.length === 0 ? <p class="empty">No protocols yet.</p> : null}
      {protocols.map((p, i) => (
        <div class="row row-single" key={i}>
          <input
            type="text"
            aria-label={`Protocol ${i + 1}`}
            data-focus={`p-${i}`}
            value={p}
            placeholder="e.g. graphql-transport-ws"
            disabled={disabled}
            spellcheck={false}
            onInput={(e) => {
              const value = e.currentTarget.value;
              onChange(protocols.map((q, j) => (j === i ? value : q)));
            }}
          />
          <button
            type="button"
            class="icon-button"
            aria-label={`Remove protocol ${i + 1}`}
            title={`Remove protocol ${i + 1}`}
            disabled={disabled}
            onClick={() => {
              onChange(protocols.filter((_, j) => j !== i));
              setFocusTarget(i < protocols.length - 1 ? `p-${i}` : i > 0 ? `p-${i - 1}` : "add");
            }}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        class="add-button"
        data-focus="add"
        disabled={disabled}
        onClick={() => {
          onChange([...protocols, ""]);
          setFocusTarget(`p-${protocols.length}`);
        }}
      >
        Add protocol
      </button>
    </div>
  );
}
