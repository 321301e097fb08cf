// The saved messages of the tab's request (Postman keeps messages per request): load one
// into the composer, send it as is, rename, duplicate, reorder, delete; save the composer's.

import {
  composerFormat,
  FORMAT_LABELS,
  moveItem,
  renameMessage,
  savedFormat,
} from "../request/savedMessages";
import type { RequestWorkspace } from "../request/workspace";
import type { RequestTab } from "../request/model";
import type { SavedMessage } from "../types";

export function SavedMessages({
  tab,
  workspace,
  onSend,
}: {
  tab: RequestTab;
  workspace: RequestWorkspace;
  onSend: (m: SavedMessage) => void;
}) {
  const saved = tab.saved.value;
  const messages = tab.savedMessages.value;
  const p = `t${tab.id}`;

  const saveMessage = async () => {
    if (!tab.saved.peek()) {
      // A message belongs to a saved request: save the request first.
      if (!(await workspace.saveTab(tab))) return;
    }
    const name = await workspace.askName(
      "Save message",
      "Message name",
      `Message ${tab.savedMessages.peek().length + 1}`,
    );
    if (!name) return;
    const message: SavedMessage = {
      name,
      format: savedFormat(tab.format.peek(), tab.encoding.peek()),
      body: tab.message.peek(),
    };
    await workspace.message(tab, "add", { message }, [...tab.savedMessages.peek(), message]);
  };

  const load = (m: SavedMessage) => {
    const f = composerFormat(m.format);
    tab.format.value = f.format;
    if (f.encoding) tab.encoding.value = f.encoding;
    tab.message.value = m.body;
  };

  return (
    <section class="saved-messages" aria-labelledby={`${p}-saved-title`}>
      <div class="saved-head">
        <h3 id={`${p}-saved-title`}>Saved messages</h3>
        <button type="button" class="small" onClick={() => void saveMessage()}>
          Save message
        </button>
      </div>
      {!saved ? (
        <p class="empty">Save the request to keep messages with it.</p>
      ) : messages.length === 0 ? (
        <p class="empty">No saved messages yet.</p>
      ) : null}
      {messages.length > 0 ? (
        <ul aria-labelledby={`${p}-saved-title`} class="saved-list">
          {messages.map((m, i) => (
            <li key={`${i}-${m.name}`} class="saved-item">
              <span class="saved-name">{m.name}</span>
              <span class="saved-format">{FORMAT_LABELS[m.format] ?? m.format}</span>
              <span class="spacer" />
              <button
                type="button"
                class="small"
                aria-label={`Load ${m.name}`}
                title="Put it into the composer"
                onClick={() => load(m)}
              >
                Load
              </button>
              <button
                type="button"
                class="small"
                aria-label={`Send ${m.name}`}
                disabled={tab.session.state.value !== "open"}
                onClick={() => onSend(m)}
              >
                Send
              </button>
              <button
                type="button"
                class="small"
                aria-label={`Rename message ${m.name}`}
                onClick={() =>
                  void workspace
                    .askName(`Rename ${m.name}`, "Message name", m.name, "Rename")
                    .then((name) =>
                      name && name !== m.name
                        ? workspace.message(
                            tab,
                            "rename",
                            { index: i, name },
                            renameMessage(messages, i, name),
                          )
                        : false,
                    )
                }
              >
                Rename
              </button>
              <button
                type="button"
                class="small"
                aria-label={`Duplicate message ${m.name}`}
                onClick={() => void workspace.message(tab, "duplicate", { index: i })}
              >
                Duplicate
              </button>
              <button
                type="button"
                class="small"
                aria-label={`Move ${m.name} up`}
                disabled={i === 0}
                onClick={() =>
                  void workspace.message(
                    tab,
                    "move",
                    { from: i, to: i - 1 },
                    moveItem(messages, i, i - 1),
                  )
                }
              >
                Move up
              </button>
              <button
                type="button"
                class="small"
                aria-label={`Move ${m.name} down`}
                disabled={i === messages.length - 1}
                onClick={() =>
                  void workspace.message(
                    tab,
                    "move",
                    { from: i, to: i + 1 },
                    moveItem(messages, i, i + 1),
                  )
                }
              >
                Move down
              </button>
              <button
                type="button"
                class="small danger"
                aria-label={`Delete message ${m.name}`}
                onClick={() =>
                  void workspace
                    .askConfirm(
                      `Delete ${m.name}?`,
                      `The saved message "${m.name}" is deleted.`,
                      "Delete",
                    )
                    .then((yes) =>
                      yes
                        ? workspace.message(
                            tab,
                            "delete",
                            { index: i },
                            messages.filter((_, j) => j !== i),
                          )
                        : false,
                    )
                }
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
