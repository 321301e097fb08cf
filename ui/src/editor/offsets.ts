// wsdeck counts positions in UTF-8 bytes; CodeMirror (and JavaScript) in UTF-16 code units.

/** UTF-8 length of `text` in bytes. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** The UTF-8 byte offset of UTF-16 index `index` in `text` (clamped to the text). */
export function utf16ToByte(text: string, index: number): number {
  return utf8Length(text.slice(0, Math.max(0, Math.min(index, text.length))));
}

/**
 * The UTF-16 index of UTF-8 byte offset `offset` in `text`. Clamped to the text; an offset
 * inside a multi-byte character moves to that character's start (as wsdeck does).
 */
export function byteToUtf16(text: string, offset: number): number {
  if (offset <= 0) return 0;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    let size = 3;
    let units = 1;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        size = 4;
        units = 2;
      }
    }
    if (bytes + size > offset) return i;
    bytes += size;
    i += units;
  }
  return text.length;
}
