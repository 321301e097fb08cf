// The Close form's checks, before anything is sent (RFC 6455 §7.4 and §5.5).

import { utf8Length } from "../editor/offsets";

const RANGES = "1000–1003, 1007–1014 or 3000–4999";

/** Codes a client may send in a Close frame. */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/** What is wrong with the close code field, or "" (an empty field means "no code"). */
export function closeCodeProblem(code: string): string {
  const text = code.trim();
  if (text === "") return "";
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n)) return "Enter a whole number, such as 1000.";
  if (isSendableCloseCode(n)) return "";
  if (n === 1005) {
    return `1005 is reserved: it means 'no code' and is never sent; use ${RANGES}.`;
  }
  if (n === 1006) {
    return `1006 is reserved: it means 'closed without a Close frame' and is never sent; use ${RANGES}.`;
  }
  if (n === 1015) {
    return `1015 is reserved: it means 'TLS handshake failed' and is never sent; use ${RANGES}.`;
  }
  if (n === 1004) return `1004 is reserved and is never sent; use ${RANGES}.`;
  return `${n} can't be sent in a Close frame; use ${RANGES}.`;
}

/** What is wrong with the close reason, given the code field, or "". */
export function closeReasonProblem(code: string, reason: string): string {
  if (reason === "") return "";
  if (code.trim() === "") return "A close reason needs a close code: enter one, such as 1000.";
  const bytes = utf8Length(reason);
  if (bytes > 123) return `The close reason is ${bytes} bytes of UTF-8; at most 123 fit.`;
  return "";
}
