// A saved request's messages as the composer and the saved-messages list see them: the
// composer's format and encoding ⇄ the saved format, and the list's optimistic edits (shown
// at once, before wsdeck has written the file).

import type { SavedMessage, SavedMessageFormat } from "../types";
import type { BinaryEncoding, MessageFormat } from "./model";

export function composerFormat(f: SavedMessageFormat): {
  format: MessageFormat;
  encoding?: BinaryEncoding;
} {
  if (f === "binary-hex") return { format: "binary", encoding: "hex" };
  if (f === "binary-base64") return { format: "binary", encoding: "base64" };
  return { format: f };
}

export function savedFormat(format: MessageFormat, encoding: BinaryEncoding): SavedMessageFormat {
  return format === "binary" ? (encoding === "hex" ? "binary-hex" : "binary-base64") : format;
}

export const FORMAT_LABELS: Record<SavedMessageFormat, string> = {
  text: "Text",
  json: "JSON",
  xml: "XML",
  html: "HTML",
  "binary-hex": "Binary (hex)",
  "binary-base64": "Binary (base64)",
};

/** Moves item `from` to `to` (the optimistic view of `wsdeck.messages.move`). */
export function moveItem<T>(items: T[], from: number, to: number): T[] {
  if (from < 0 || from >= items.length || to < 0 || to >= items.length) return items;
  const out = [...items];
  const [it] = out.splice(from, 1);
  if (it !== undefined) out.splice(to, 0, it);
  return out;
}

export function renameMessage(items: SavedMessage[], index: number, name: string): SavedMessage[] {
  return items.map((m, i) => (i === index ? { ...m, name } : m));
}
