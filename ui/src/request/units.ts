// The Settings form's size unit: the message size limit is typed in MiB and sent in bytes.
// Kept apart from the form and the wire conversions because both sides round through it, and
// the rounding rules (0 means no limit; a positive size is never 0) must be the same on each.

/** One MiB, the unit of the message size field (binary, as the CLI's `64M` and `formatBytes`). */
export const MIB = 1024 * 1024;

/** A size in MiB as whole bytes for the API: 0 is 0 (no limit), a positive size at least 1. */
export function mibToBytes(mib: number): number {
  if (mib <= 0) return 0;
  return Math.max(1, Math.round(mib * MIB));
}

/** Bytes as the MiB text of the Settings form: up to 3 decimals, no trailing zeros, more
 *  decimals only when 3 would not give the same bytes back (so 100 bytes is not "0", which
 *  would mean no limit). */
export function bytesToMib(bytes: number): string {
  for (let decimals = 3; decimals < 7; decimals++) {
    const scale = 10 ** decimals;
    const mib = Math.round((bytes / MIB) * scale) / scale;
    if (mibToBytes(mib) === bytes) return String(mib);
  }
  return String(Math.round((bytes / MIB) * 1e7) / 1e7);
}

/** The Settings form's MiB text as bytes (0: no limit), or null when it is not a size. */
export function mibTextToBytes(mib: string): number | null {
  const n = Number(mib.trim());
  if (mib.trim() === "" || !Number.isFinite(n) || n < 0) return null;
  return mibToBytes(n);
}
