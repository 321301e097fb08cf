// The keyboard shortcuts: the list (opened with ? or Ctrl/Cmd+/) and the page-wide keys that
// are not owned by one control ("/" to search the log, the list itself).

import { Modal } from "../widgets/Modal";

/** Every shortcut of the workbench, as the dialog lists it: keys, then what they do. */
export const SHORTCUTS: [string, string][] = [
  ["Enter (in the URL)", "Connect"],
  ["Ctrl/Cmd+Enter (in the composer)", "Send the message"],
  ["Ctrl/Cmd+S", "Save the request (asks for a name and collection the first time)"],
  ["{{", "Complete a variable name (URL, headers, params, messages)"],
  ["/", "Search the message log"],
  ["← → Home End (on the request tabs)", "Switch tabs"],
  ["Delete (on a request tab)", "Close the tab"],
  ["↑ ↓ ← → Home End (in the sidebar)", "Move through collections and requests; → opens, ← closes"],
  ["Enter or Space (in the sidebar)", "Open the request, or open/close the collection"],
  ["F2 (in the sidebar)", "Rename"],
  ["Delete (in the sidebar)", "Delete, after asking"],
  ["↑ ↓ (on the console's splitter)", "Resize the console"],
  ["Escape", "Close a dialog; clear the history search"],
  ["? or Ctrl/Cmd+/", "This list"],
];

export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" id="shortcuts-title" onCancel={onClose}>
      <table class="shortcuts">
        <tbody>
          {SHORTCUTS.map(([keys, what]) => (
            <tr key={keys}>
              <th scope="row">
                <kbd>{keys}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="dialog-buttons">
        <button type="button" class="primary" data-autofocus onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

/** Is the key going into something the user types in (where "?" and "/" are text)? */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return (
    target instanceof HTMLInputElement &&
    !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(
      target.type,
    )
  );
}

/** What a page-wide key does: open the list, search the log, or nothing. */
export function shortcutFor(e: KeyboardEvent): "help" | "search" | null {
  if (e.defaultPrevented || e.altKey) return null;
  if ((e.ctrlKey || e.metaKey) && e.key === "/") return "help";
  if (e.ctrlKey || e.metaKey || typing(e.target)) return null;
  if (e.key === "?") return "help";
  if (e.key === "/") return "search";
  return null;
}
