import { signal } from "@preact/signals";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RequestTab } from "../request/model";
import type { Rpc } from "../rpc";
import { FocusRegistry } from "./focus";
import { TabStrip } from "./TabStrip";

const rpc: Rpc = {
  call: () => Promise.reject(new Error("not in this test")),
  batch: () => Promise.resolve([]),
  on: () => () => undefined,
  status: signal("open"),
  generation: signal(1),
  problem: signal(""),
};

function strip(activeIndex: number) {
  const tabs = [new RequestTab(rpc), new RequestTab(rpc), new RequestTab(rpc)];
  tabs[1]?.setUrl("ws://example.test/chat");
  const select = vi.fn();
  const close = vi.fn();
  const buttons = new FocusRegistry<number>();
  act(() => {
    render(
      <TabStrip
        tabs={tabs}
        activeId={tabs[activeIndex]?.id ?? 0}
        select={select}
        close={close}
        newRequest={() => undefined}
        buttons={buttons}
      />,
      document.body,
    );
  });
  return { tabs, select, close, buttons };
}

describe("TabStrip", () => {
  afterEach(() => render(null, document.body));

  it("names each tab and marks the shown one", () => {
    const { tabs } = strip(1);
    const roles = [...document.querySelectorAll('[role="tab"]')];
    expect(roles.map((t) => t.textContent)).toEqual([
      "Untitled request",
      "example.test/chat",
      "Untitled request",
    ]);
    expect(roles.map((t) => t.getAttribute("aria-selected"))).toEqual(["false", "true", "false"]);
    expect(roles[1]?.id).toBe(`tab-${tabs[1]?.id}`);
    expect(roles[1]?.getAttribute("aria-controls")).toBe(`tabpanel-${tabs[1]?.id}`);
  });

  it("registers its tab buttons for the workbench to focus", () => {
    const { tabs, buttons } = strip(0);
    const id = tabs[2]?.id ?? -1;
    expect(buttons.get(id)).toBe(document.getElementById(`tab-${id}`));
  });

  it("selects with the arrow keys and closes with Delete or ×", () => {
    const { tabs, select, close } = strip(0);
    const first = document.querySelector<HTMLElement>('[role="tab"]');
    first?.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowLeft", bubbles: true }));
    expect(select).toHaveBeenCalledWith(tabs[2]?.id);
    first?.dispatchEvent(new KeyboardEvent("keydown", { key: "Delete", bubbles: true }));
    expect(close).toHaveBeenCalledWith(tabs[0]?.id);
    document
      .querySelector<HTMLElement>('[aria-label="Close tab example.test/chat"]')
      ?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(close).toHaveBeenCalledWith(tabs[1]?.id);
  });
});
