import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { FocusRegistry, TabFocus } from "./focus";

describe("FocusRegistry", () => {
  afterEach(() => render(null, document.body));

  it("gives one ref callback per key, and forgets the element when it unmounts", () => {
    const boxes = new FocusRegistry<number>();
    expect(boxes.ref(1)).toBe(boxes.ref(1));
    render(<input ref={boxes.ref(1)} />, document.body);
    const input = document.querySelector("input");
    expect(boxes.get(1)).toBe(input);
    boxes.focus(1);
    expect(document.activeElement).toBe(input);
    render(null, document.body);
    expect(boxes.get(1)).toBeUndefined();
  });

  it("tells whether closing some panels loses focus", () => {
    const focus = new TabFocus();
    render(
      <>
        <div ref={focus.panels.ref(1)}>
          <button id="in-one">one</button>
        </div>
        <div ref={focus.panels.ref(2)}>
          <button id="in-two">two</button>
        </div>
      </>,
      document.body,
    );
    (document.activeElement as HTMLElement | null)?.blur();
    expect(focus.isLostWhenClosing([1])).toBe(true);
    document.querySelector<HTMLElement>("#in-two")?.focus();
    expect(focus.isLostWhenClosing([1])).toBe(false);
    expect(focus.isLostWhenClosing([1, 2])).toBe(true);
  });
});
