// "Save to request" in an opened log message: the whole message (not the log's shortened
// copy) becomes one of the tab's saved request's messages, in the format it looks like.

import type { LogController } from "../log/controller";
import { isDataEvent, type DataEvent } from "../log/format";
import type { RequestTab } from "../request/model";
import type { Rpc } from "../rpc";
import type { WorkspaceStore } from "../sidebar/store";
import type { SavedMessage, SavedMessageFormat, WsEvent } from "../types";

/** The saved format for a message: binary as base64, text as what wsdeck detects it to be. */
async function savedFormatOf(rpc: Rpc, message: DataEvent): Promise<SavedMessageFormat> {
  if (message.format === "binary") return "binary-base64";
  try {
    const d = await rpc.call("wsdeck.format.detect", { text: message.data });
    if (d.format === "json" || d.format === "xml" || d.format === "html") return d.format;
  } catch {
    // Saved as text: still the same body.
  }
  return "text";
}

/**
 * Adds logged message `e` to `tab`'s saved request, under a name the user gives. Returns what
 * to tell the user ("" when there is nothing to say, e.g. the name was cancelled).
 */
export async function saveToRequest(
  rpc: Rpc,
  workspace: WorkspaceStore,
  tab: RequestTab,
  e: WsEvent,
  ctl: LogController,
): Promise<string> {
  const saved = tab.saved.peek();
  if (!saved) return "Save the request first (Ctrl+S).";
  if (!isDataEvent(e)) return "";
  const whole = await ctl.full(e);
  if (!isDataEvent(whole)) return "";
  if (whole.truncated) {
    return "Could not read the whole message (wsdeck no longer keeps it), so it was not saved.";
  }
  const format = await savedFormatOf(rpc, whole);
  const name = await workspace.askName(
    `Save message ${e.seq} to ${saved.name}`,
    "Message name",
    `Message ${tab.savedMessages.peek().length + 1}`,
  );
  if (!name) return "";
  const message: SavedMessage = { name, format, body: whole.data };
  const ok = await workspace.message(tab, "add", { message }, [
    ...tab.savedMessages.peek(),
    message,
  ]);
  return ok
    ? `Saved as "${name}" in ${tab.saved.peek()?.name ?? saved.name}.`
    : `Could not save the message: ${workspace.error.peek() || "wsdeck refused it."}`;
}
