// The Settings tab: form values (as typed) to `wsdeck.open` settings, with validation.

import type { SettingsParams } from "../types";
import { mibToBytes } from "./units";

export interface SettingsForm {
  reconnectAttempts: string;
  reconnectIntervalMs: string;
  followRedirects: boolean;
  maxRedirects: string;
  /** 0: no deadline. */
  handshakeTimeoutMs: string;
  /** In MiB (the key keeps its old name: it is in tabs saved by earlier versions); 0: no limit. */
  maxMessageSizeMb: string;
  verifyTls: boolean;
  autoPong: boolean;
  /** How long Disconnect waits for the server's close frame before dropping the connection. */
  closeTimeoutMs: string;
}

export type NumberField =
  | "reconnectAttempts"
  | "reconnectIntervalMs"
  | "maxRedirects"
  | "handshakeTimeoutMs"
  | "maxMessageSizeMb"
  | "closeTimeoutMs";

export const DEFAULT_SETTINGS: SettingsForm = {
  reconnectAttempts: "0",
  reconnectIntervalMs: "5000",
  followRedirects: true,
  maxRedirects: "10",
  handshakeTimeoutMs: "20000",
  maxMessageSizeMb: "64",
  verifyTls: true,
  autoPong: true,
  closeTimeoutMs: "5000",
};

interface Rule {
  label: string;
  min: number;
  max: number;
  integer: boolean;
}

export const NUMBER_RULES: Record<NumberField, Rule> = {
  reconnectAttempts: { label: "Reconnection attempts", min: 0, max: 1000, integer: true },
  reconnectIntervalMs: {
    label: "Reconnection interval (ms)",
    min: 0,
    max: 3_600_000,
    integer: true,
  },
  maxRedirects: { label: "Maximum redirects", min: 0, max: 100, integer: true },
  // 0 is what the engine takes for "no deadline" and "no limit" (as the CLI does).
  handshakeTimeoutMs: { label: "Handshake timeout (ms)", min: 0, max: 3_600_000, integer: true },
  maxMessageSizeMb: { label: "Maximum message size (MiB)", min: 0, max: 4096, integer: false },
  closeTimeoutMs: { label: "Close timeout (ms)", min: 1, max: 3_600_000, integer: true },
};

/** Why a number field is not acceptable, or "" when it is. */
export function numberProblem(field: NumberField, raw: string): string {
  const rule = NUMBER_RULES[field];
  const text = raw.trim();
  if (text === "") return "Enter a number.";
  const n = Number(text);
  if (!Number.isFinite(n)) return "Enter a number.";
  if (rule.integer && !Number.isInteger(n)) return "Enter a whole number.";
  if (n < rule.min || n > rule.max)
    return `Enter a number from ${rule.min.toLocaleString("en")} to ${rule.max.toLocaleString("en")}.`;
  return "";
}

export type SettingsErrors = Partial<Record<NumberField, string>>;

export function settingsErrors(form: SettingsForm): SettingsErrors {
  const errors: SettingsErrors = {};
  for (const field of Object.keys(NUMBER_RULES) as NumberField[]) {
    // Without following redirects, their maximum does not matter (the field is disabled).
    if (field === "maxRedirects" && !form.followRedirects) continue;
    const problem = numberProblem(field, form[field]);
    if (problem) errors[field] = problem;
  }
  return errors;
}

/** The API settings, or the errors that stop a connection. */
export function toSettingsParams(
  form: SettingsForm,
): { ok: true; settings: SettingsParams } | { ok: false; errors: SettingsErrors } {
  const errors = settingsErrors(form);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      reconnectAttempts: Number(form.reconnectAttempts),
      reconnectIntervalMs: Number(form.reconnectIntervalMs),
      followRedirects: form.followRedirects,
      ...(form.followRedirects ? { maxRedirects: Number(form.maxRedirects) } : {}),
      handshakeTimeoutMs: Number(form.handshakeTimeoutMs),
      // 0 stays 0 (no limit); any other size is at least one byte, never rounded down to 0.
      maxMessageSize: mibToBytes(Number(form.maxMessageSizeMb)),
      autoPong: form.autoPong,
      closeTimeoutMs: Number(form.closeTimeoutMs),
      tls: { verify: form.verifyTls },
    },
  };
}
