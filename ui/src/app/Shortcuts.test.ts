import { describe, expect, it } from "vitest";
import { SHORTCUTS, shortcutFor } from "./Shortcuts";

/** What `shortcutFor` says of `init` pressed on `target`. */
function press(target: HTMLElement, init: KeyboardEventInit): string | null {
  let seen: string | null = "unset";
  target.addEventListener("keydown", (e) => (seen = shortcutFor(e)), { once: true });
  target.dispatchEvent(new KeyboardEvent("keydown", { bubbles: true, ...init }));
  return seen;
}

describe("page-wide shortcuts", () => {
  it("? and / act outside text fields only", () => {
    const button = document.createElement("button");
    const input = document.createElement("input");
    const checkbox = Object.assign(document.createElement("input"), { type: "checkbox" });
    document.body.append(button, input, checkbox);
    expect(press(button, { key: "?" })).toBe("help");
    expect(press(button, { key: "/" })).toBe("search");
    expect(press(checkbox, { key: "/" })).toBe("search");
    expect(press(input, { key: "?" })).toBeNull();
    expect(press(input, { key: "/" })).toBeNull();
    expect(press(button, { key: "a" })).toBeNull();
  });

  it("Ctrl/Cmd+/ opens the list even while typing", () => {
    const input = document.createElement("input");
    document.body.append(input);
    expect(press(input, { key: "/", ctrlKey: true })).toBe("help");
    expect(press(input, { key: "/", metaKey: true })).toBe("help");
    expect(press(input, { key: "/", ctrlKey: true, altKey: true })).toBeNull();
  });

  it("the list names each shortcut once", () => {
    const keys = SHORTCUTS.map(([k]) => k);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
