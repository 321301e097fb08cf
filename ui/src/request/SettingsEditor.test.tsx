import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { SettingsEditor } from "./SettingsEditor";
import { DEFAULT_SETTINGS, type SettingsForm } from "./settings";

let host: HTMLElement | null = null;

function show(settings: SettingsForm): HTMLElement {
  host = document.createElement("div");
  document.body.append(host);
  render(
    <SettingsEditor tabId={1} settings={settings} onChange={() => {}} disabled={false} />,
    host,
  );
  return host;
}

/** The help text and any error of the field labelled `label`. */
function field(root: HTMLElement, label: string) {
  const l = [...root.querySelectorAll("label")].find((x) => x.textContent === label);
  const input = l ? root.querySelector<HTMLInputElement>(`#${l.htmlFor}`) : null;
  if (!input) throw new Error(`no field labelled ${label}`);
  const described = (input.getAttribute("aria-describedby") ?? "").split(" ");
  const texts = described.map((id) => root.querySelector(`#${id}`)?.textContent ?? "");
  return { input, help: texts[0] ?? "", error: texts[1] ?? "" };
}

afterEach(() => {
  if (host) render(null, host);
  host?.remove();
  host = null;
});

describe("Settings tab", () => {
  it("says 0 turns the handshake timeout and the size limit off, and accepts it", () => {
    const root = show({ ...DEFAULT_SETTINGS, handshakeTimeoutMs: "0", maxMessageSizeMb: "0" });
    const timeout = field(root, "Handshake timeout (ms)");
    expect(timeout.help).toContain("0 = none");
    expect(timeout.error).toBe("");
    expect(timeout.input.min).toBe("0");
    const size = field(root, "Maximum message size (MiB)");
    expect(size.help).toContain("0 = no limit");
    expect(size.error).toBe("");
    expect(size.input.min).toBe("0");
    expect(root.querySelector("[aria-invalid]")).toBeNull();
  });
  it("names the size unit MiB, never MB", () => {
    const root = show(DEFAULT_SETTINGS);
    expect(root.textContent).toContain("MiB");
    expect(root.textContent).not.toMatch(/\bMB\b/);
  });
  it("asks how many times to reconnect", () => {
    const help = field(show(DEFAULT_SETTINGS), "Reconnection attempts").help;
    expect(help).toMatch(/^How many times to reconnect/);
  });
});
