import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PaneBoundary } from "./PaneBoundary";

let fail = true;
function Fragile() {
  if (fail) throw new Error("cannot read the page");
  return <p>all well</p>;
}

describe("PaneBoundary", () => {
  afterEach(() => {
    render(null, document.body);
    vi.restoreAllMocks();
  });

  it("keeps a failing pane's fault in its place and lets the user try again", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    fail = true;
    act(() => {
      render(
        <div>
          <PaneBoundary name="messages pane">
            <Fragile />
          </PaneBoundary>
          <p>the console</p>
        </div>,
        document.body,
      );
    });
    const alert = document.body.querySelector('[role="alert"]');
    expect(alert?.textContent).toContain("The messages pane stopped working");
    expect(alert?.textContent).toContain("cannot read the page");
    expect(document.body.textContent).toContain("the console");
    fail = false;
    act(() => {
      document.body.querySelector("button")?.click();
    });
    expect(document.body.querySelector('[role="alert"]')).toBeNull();
    expect(document.body.textContent).toContain("all well");
  });
});
