// Binary messages are typed as hex or Base64. Switching between the two converts the bytes
// when the text is valid in the encoding it was typed in; otherwise the text stays.

import type { BinaryEncoding } from "../request/model";

/** The bytes of hex text (whitespace between groups; each group an even number of digits). */
export function hexToBytes(text: string): Uint8Array | null {
  const groups = text.trim() === "" ? [] : text.trim().split(/\s+/);
  const digits: string[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]*$/.test(group) || group.length % 2 !== 0) return null;
    digits.push(group);
  }
  const all = digits.join("");
  const bytes = new Uint8Array(all.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(all.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** The bytes of Base64 a user typed (whitespace ignored, padding optional), or null when it
 *  is not Base64. (Data wsdeck sent is decoded by `decodeWireBase64`, which never fails.) */
export function parseBase64(text: string): Uint8Array | null {
  const compact = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const body = compact.replace(/=+$/, "");
  if (body.length % 4 === 1) return null;
  if (compact.length !== body.length && compact.length % 4 !== 0) return null;
  let binary: string;
  try {
    binary = atob(body + "=".repeat((4 - (body.length % 4)) % 4));
  } catch {
    return null;
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** `text` typed as `from`, rewritten as `to`; unchanged when it is not valid `from`. */
export function convertBinary(text: string, from: BinaryEncoding, to: BinaryEncoding): string {
  if (from === to) return text;
  const bytes = from === "hex" ? hexToBytes(text) : parseBase64(text);
  if (!bytes) return text;
  return to === "hex" ? bytesToHex(bytes) : bytesToBase64(bytes);
}
