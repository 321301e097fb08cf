// The workspace's small dialogs: "Save request" (name + collection), "Move to…" (another
// collection), confirm, and a name prompt.

import { useState } from "preact/hooks";
import { Modal } from "../widgets/Modal";
import { collectionPaths } from "./tree";
import type { WsRequest } from "../types";
import type { WorkspaceStore } from "./store";

export function WorkspaceDialogs({ store }: { store: WorkspaceStore }) {
  const save = store.saveAsk.value;
  const confirm = store.confirmAsk.value;
  const prompt = store.promptAsk.value;
  const move = store.moveAsk.value;
  return (
    <>
      {save ? <SaveDialog store={store} key="save" /> : null}
      {move ? <MoveDialog store={store} key={`move-${move.id}`} /> : null}
      {confirm ? (
        <Modal
          title={confirm.title}
          id="ws-confirm-title"
          onCancel={() => {
            store.confirmAsk.value = null;
            confirm.resolve("cancel");
          }}
        >
          <p>{confirm.text}</p>
          <div class="dialog-buttons">
            <button
              type="button"
              data-autofocus
              onClick={() => {
                store.confirmAsk.value = null;
                confirm.resolve("cancel");
              }}
            >
              Cancel
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => {
                store.confirmAsk.value = null;
                confirm.resolve("confirm");
              }}
            >
              {confirm.confirm}
            </button>
            {confirm.alternative ? (
              <button
                type="button"
                class="primary"
                onClick={() => {
                  store.confirmAsk.value = null;
                  confirm.resolve("alternative");
                }}
              >
                {confirm.alternative}
              </button>
            ) : null}
          </div>
        </Modal>
      ) : null}
      {prompt ? <PromptDialog store={store} key="prompt" /> : null}
    </>
  );
}

function PromptDialog({ store }: { store: WorkspaceStore }) {
  const ask = store.promptAsk.peek();
  const [value, setValue] = useState(ask?.value ?? "");
  if (!ask) return null;
  const done = (v: string | null) => {
    store.promptAsk.value = null;
    ask.resolve(v);
  };
  return (
    <Modal title={ask.title} id="ws-prompt-title" onCancel={() => done(null)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) done(value.trim());
        }}
      >
        <label class="field">
          {ask.label}
          <input
            type="text"
            data-autofocus
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
          />
        </label>
        <div class="dialog-buttons">
          <button type="button" onClick={() => done(null)}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!value.trim()}>
            {ask.confirm}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function SaveDialog({ store }: { store: WorkspaceStore }) {
  const ask = store.saveAsk.peek();
  const [name, setName] = useState(ask?.name ?? "");
  const [collection, setCollection] = useState((ask?.collection ?? []).join("/"));
  const [newCollection, setNewCollection] = useState("");
  const [problem, setProblem] = useState("");
  if (!ask) return null;
  const paths = collectionPaths(store.root.value);
  const done = (answer: { name: string; collection: string[] } | null) => {
    store.saveAsk.value = null;
    ask.resolve(answer);
  };
  const create = async () => {
    const n = newCollection.trim();
    if (!n) return;
    const path = await store.createCollection([], n);
    if (path) {
      setCollection(path.join("/"));
      setNewCollection("");
      setProblem("");
    } else setProblem(store.error.peek());
  };
  return (
    <Modal title={ask.title} id="ws-save-title" onCancel={() => done(null)}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) {
            setProblem("Give the request a name.");
            return;
          }
          void (async () => {
            // A new collection's name typed but not created yet: that is where it goes.
            let path = paths.find((p) => p.path.join("/") === collection)?.path ?? [];
            const n = newCollection.trim();
            if (n) {
              const made = await store.createCollection([], n);
              if (!made) {
                setProblem(store.error.peek());
                return;
              }
              path = made;
            }
            done({ name: name.trim(), collection: path });
          })();
        }}
      >
        <label class="field">
          Request name
          <input
            type="text"
            data-autofocus
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          Collection
          <select value={collection} onChange={(e) => setCollection(e.currentTarget.value)}>
            {paths.map((p) => (
              <option value={p.path.join("/")} key={p.path.join("/")}>
                {p.label}
              </option>
            ))}
          </select>
        </label>
        <div class="new-collection">
          <input
            type="text"
            aria-label="New collection"
            placeholder="New collection name"
            value={newCollection}
            onInput={(e) => setNewCollection(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                void create();
              }
            }}
          />
          <button type="button" disabled={!newCollection.trim()} onClick={() => void create()}>
            New collection
          </button>
        </div>
        <p class="field-error" role="alert">
          {problem}
        </p>
        <div class="dialog-buttons">
          <button type="button" onClick={() => done(null)}>
            Cancel
          </button>
          <button type="submit" class="primary">
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

function MoveDialog({ store }: { store: WorkspaceStore }) {
  const ask = store.moveAsk.peek();
  const from = (ask?.collection ?? []).join("/");
  const paths = collectionPaths(store.root.value);
  // The first collection other than the request's own is the likely target.
  const [target, setTarget] = useState(
    () => paths.find((p) => p.path.join("/") !== from)?.path.join("/") ?? from,
  );
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  if (!ask) return null;
  const done = (moved: WsRequest | null) => {
    store.moveAsk.value = null;
    ask.resolve(moved);
  };
  const others = paths.some((p) => p.path.join("/") !== from);
  const here = paths.find((p) => p.path.join("/") === from)?.label ?? "(top level)";
  const submit = async () => {
    if (busy) return;
    const path = paths.find((p) => p.path.join("/") === target)?.path;
    if (!path || target === from) {
      setProblem(`${ask.name} is already in ${here}. Pick another collection.`);
      return;
    }
    setBusy(true);
    const moved = await store.move(ask.id, path);
    setBusy(false);
    if (moved) {
      done(moved);
      return;
    }
    // Said here, next to the choice, rather than behind the dialog as well.
    setProblem(store.error.peek() || "wsdeck could not move the request.");
    store.error.value = "";
  };
  return (
    // Not cancelled while wsdeck moves the file: the tabs must learn the new id.
    <Modal
      title={`Move ${ask.name}`}
      id="ws-move-title"
      onCancel={() => (busy ? undefined : done(null))}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p>
          Now in <strong>{here}</strong>.
        </p>
        {others ? (
          <label class="field">
            Move to collection
            <select
              data-autofocus
              value={target}
              onChange={(e) => {
                setTarget(e.currentTarget.value);
                setProblem("");
              }}
              onKeyDown={(e) => {
                // Enter moves, as in the dialog's other fields (a select does not submit).
                if (e.key === "Enter") {
                  e.preventDefault();
                  void submit();
                }
              }}
            >
              {paths.map((p) => (
                <option
                  value={p.path.join("/")}
                  key={p.path.join("/")}
                  disabled={p.path.join("/") === from}
                >
                  {p.path.join("/") === from ? `${p.label} (current)` : p.label}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <p class="empty">There is no other collection yet: create one with "New collection".</p>
        )}
        <p class="field-error" role="alert">
          {problem}
        </p>
        <div class="dialog-buttons">
          <button type="button" disabled={busy} onClick={() => done(null)}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!others} aria-busy={busy}>
            {busy ? "Moving…" : "Move"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
