// The environment picker and the Environments dialog (add, rename, delete, edit variables).

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { GLOBALS_ID, type EnvStore, type Environment, type EnvVariable } from "./store";

export function EnvironmentBar({ store }: { store: EnvStore }) {
  const state = store.state.value;
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <div class="env-bar">
      <select
        aria-label="Environment"
        value={state.activeId ?? ""}
        onChange={(e) => store.setActive(e.currentTarget.value || null)}
      >
        <option value="">No environment</option>
        {state.environments.map((env) => (
          <option value={env.id} key={env.id}>
            {env.name || "Unnamed environment"}
          </option>
        ))}
      </select>
      <button type="button" ref={button} aria-haspopup="dialog" onClick={() => setOpen(true)}>
        Environments
      </button>
      {open ? (
        <EnvironmentsDialog
          store={store}
          onClose={() => {
            setOpen(false);
            requestAnimationFrame(() => button.current?.focus());
          }}
        />
      ) : null}
    </div>
  );
}

function EnvironmentsDialog(props: { store: EnvStore; onClose: () => void }) {
  const { store } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  // Leave the modal state first: while it is modal, the rest of the page cannot take focus.
  const onClose = () => {
    if (dialog.current?.open) dialog.current.close();
    props.onClose();
  };
  const state = store.state.value;
  const [selected, setSelected] = useState<string>(state.activeId ?? GLOBALS_ID);
  const [shown, setShown] = useState<Set<number>>(new Set());
  const [focusTarget, setFocusTarget] = useState<string | null>(null);
  const all: Environment[] = [state.globals, ...state.environments];
  const env = all.find((e) => e.id === selected) ?? state.globals;
  const isGlobals = env.id === GLOBALS_ID;

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) {
      if (typeof d.showModal === "function") d.showModal();
      else d.setAttribute("open", "");
    }
  }, []);

  useLayoutEffect(() => {
    if (!focusTarget) return;
    dialog.current?.querySelector<HTMLElement>(`[data-focus="${focusTarget}"]`)?.focus();
    setFocusTarget(null);
  }, [focusTarget]);

  const setVariables = (variables: EnvVariable[]) =>
    store.updateEnvironment(env.id, (e) => ({ ...e, variables }));
  const editVar = (i: number, change: Partial<EnvVariable>) =>
    setVariables(env.variables.map((v, j) => (j === i ? { ...v, ...change } : v)));

  const select = (id: string) => {
    setSelected(id);
    setShown(new Set());
  };

  return (
    <dialog
      ref={dialog}
      class="env-dialog"
      aria-labelledby="env-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div class="dialog-head">
        <h2 id="env-dialog-title">Environments</h2>
        <button type="button" class="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </div>
      <div class="env-layout">
        <nav class="env-list" aria-label="Environment list">
          <ul>
            {all.map((e) => (
              <li key={e.id}>
                <button
                  type="button"
                  aria-current={e.id === env.id ? "true" : undefined}
                  class={e.id === env.id ? "env-item current" : "env-item"}
                  onClick={() => select(e.id)}
                >
                  {e.name || "Unnamed environment"}
                  {e.id === state.activeId ? <span class="tag"> active</span> : null}
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            class="add-button"
            onClick={() => {
              const id = store.addEnvironment(`Environment ${state.environments.length + 1}`);
              select(id);
              setFocusTarget("env-name");
            }}
          >
            Add environment
          </button>
        </nav>
        <div class="env-editor">
          {isGlobals ? (
            <p class="help">
              <strong>Globals</strong> apply to every request; the selected environment's variables
              override them.
            </p>
          ) : (
            <div class="env-name-row">
              <label>
                Environment name
                <input
                  type="text"
                  data-focus="env-name"
                  value={env.name}
                  onInput={(e) => {
                    const name = e.currentTarget.value;
                    store.updateEnvironment(env.id, (x) => ({ ...x, name }));
                  }}
                />
              </label>
              <button
                type="button"
                class="danger"
                onClick={() => {
                  store.removeEnvironment(env.id);
                  select(GLOBALS_ID);
                  setFocusTarget("add-var");
                }}
              >
                Delete environment
              </button>
            </div>
          )}
          {store.mode.value === "local" ? (
            <p class="note">
              Secret values are kept only until you close this page; everything else is saved in
              this browser.
            </p>
          ) : (
            <p class="note">
              Secret values are stored in wsdeck's data folder, not in the workspace files.
            </p>
          )}
          {store.notice.value ? (
            <p class="note" role="status">
              {store.notice.value}
            </p>
          ) : null}
          {store.saveError.value ? (
            <p class="field-error" role="alert">
              {store.saveError.value}
            </p>
          ) : null}
          <div class="rows env-vars">
            {env.variables.length === 0 ? <p class="empty">No variables yet.</p> : null}
            {env.variables.length > 0 ? (
              <div class="row var-row row-head" aria-hidden="true">
                <span />
                <span>Name</span>
                <span>Value</span>
                <span>Secret</span>
                <span />
              </div>
            ) : null}
            {env.variables.map((v, i) => {
              const n = i + 1;
              const visible = !v.secret || shown.has(i);
              // {{name}} takes the last enabled variable of a name: an earlier one is unused.
              const later =
                v.enabled !== false && v.name.trim() !== ""
                  ? env.variables.findIndex(
                      (w, j) => j > i && w.enabled !== false && w.name.trim() === v.name.trim(),
                    )
                  : -1;
              const problemId = `env-var-${i}-problem`;
              return (
                <div
                  class={v.enabled === false ? "row var-row off" : "row var-row"}
                  key={`${env.id}-${i}`}
                >
                  <input
                    type="checkbox"
                    aria-label={`Variable ${n} enabled`}
                    title="Use this variable (unticked: kept, but {{name}} does not see it)"
                    checked={v.enabled !== false}
                    onChange={(e) => editVar(i, { enabled: e.currentTarget.checked })}
                  />
                  <input
                    type="text"
                    aria-label={`Variable ${n} name`}
                    data-focus={`var-${i}`}
                    value={v.name}
                    spellcheck={false}
                    placeholder="Name"
                    aria-describedby={later >= 0 ? problemId : undefined}
                    onInput={(e) => editVar(i, { name: e.currentTarget.value })}
                  />
                  <span class="value-cell">
                    <input
                      type={visible ? "text" : "password"}
                      aria-label={`Variable ${n} value`}
                      value={v.value}
                      spellcheck={false}
                      autocomplete="off"
                      placeholder={
                        v.secret
                          ? store.mode.value === "local"
                            ? "Secret value (not saved)"
                            : "Secret value"
                          : "Value"
                      }
                      onInput={(e) => editVar(i, { value: e.currentTarget.value })}
                    />
                    {v.secret ? (
                      <button
                        type="button"
                        class="small"
                        aria-label={`Show value ${n}`}
                        aria-pressed={shown.has(i)}
                        onClick={() => {
                          const next = new Set(shown);
                          if (next.has(i)) next.delete(i);
                          else next.add(i);
                          setShown(next);
                        }}
                      >
                        {shown.has(i) ? "Hide" : "Show"}
                      </button>
                    ) : null}
                  </span>
                  <input
                    type="checkbox"
                    aria-label={`Variable ${n} secret`}
                    checked={v.secret}
                    onChange={(e) => editVar(i, { secret: e.currentTarget.checked })}
                  />
                  <button
                    type="button"
                    class="icon-button"
                    aria-label={`Remove variable ${n}`}
                    title={`Remove variable ${n}`}
                    onClick={() => {
                      setVariables(env.variables.filter((_, j) => j !== i));
                      setShown(new Set());
                      const len = env.variables.length;
                      setFocusTarget(i < len - 1 ? `var-${i}` : i > 0 ? `var-${i - 1}` : "add-var");
                    }}
                  >
                    ×
                  </button>
                  {later >= 0 ? (
                    <p class="field-error row-problem" id={problemId} role="status">
                      Not used: variable {later + 1} has the same name, and the last one wins.
                    </p>
                  ) : null}
                </div>
              );
            })}
            <button
              type="button"
              class="add-button"
              data-focus="add-var"
              onClick={() => {
                setVariables([...env.variables, { name: "", value: "", secret: false }]);
                setFocusTarget(`var-${env.variables.length}`);
              }}
            >
              Add variable
            </button>
          </div>
        </div>
      </div>
    </dialog>
  );
}
