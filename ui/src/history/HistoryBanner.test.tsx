import { render } from "preact";
import { afterEach, describe, expect, it } from "vitest";
import { HistoryBanner } from "./HistoryBanner";
import { HistoryProblemStore, parseHistoryProblem } from "./problem";

let host: HTMLElement | null = null;

/** A store fed by a stand-in for the connection's notification dispatch. */
function setup() {
  const handlers = new Map<string, (params: unknown) => void>();
  const store = new HistoryProblemStore({
    on: (method, handler) => {
      handlers.set(method, handler as (params: unknown) => void);
      return () => handlers.delete(method);
    },
  });
  host = document.createElement("div");
  document.body.append(host);
  const draw = () => render(<HistoryBanner store={store} />, host as HTMLElement);
  draw();
  const notify = (params: unknown) => {
    handlers.get("wsdeck.historyError")?.(params);
    draw();
  };
  return { store, notify, draw, root: host };
}

afterEach(() => {
  if (host) render(null, host);
  host?.remove();
  host = null;
});

const MV = "mv '/d/history.db' '/d/history.db.damaged-20261207-181500'";

describe("history banner", () => {
  it("shows nothing while all is well", () => {
    const { root } = setup();
    expect(root.textContent).toBe("");
  });

  it("says a failed write at once, and stays until dismissed", () => {
    const { notify, draw, store, root } = setup();
    notify({
      kind: "writeFailed",
      message: "recording into the history /d/history.db failed (database or disk is full)",
    });
    const banner = root.querySelector("[role=alert]");
    expect(banner?.textContent).toContain("The history stopped recording.");
    expect(banner?.textContent).toContain("database or disk is full");
    expect(banner?.classList.contains("banner-error")).toBe(true);
    store.dismiss();
    draw();
    expect(root.textContent).toBe("");
  });

  it("says the history is unavailable with the command that moves it away", () => {
    const { notify, root } = setup();
    notify({ kind: "unavailable", message: `history database /d/history.db is damaged: ${MV}` });
    expect(root.textContent).toContain("Running without a history.");
    expect(root.textContent).toContain(MV);
  });

  it("does not show a dismissed problem again when wsdeck repeats it on reconnection", () => {
    const { notify, store, draw, root } = setup();
    notify({ kind: "unavailable", message: "damaged" });
    store.dismiss();
    draw();
    notify({ kind: "unavailable", message: "damaged" });
    expect(root.textContent).toBe("");
    notify({ kind: "writeFailed", message: "disk full" });
    expect(root.textContent).toContain("disk full");
  });

  it("ignores malformed notifications", () => {
    expect(parseHistoryProblem(null)).toBeNull();
    expect(parseHistoryProblem({ kind: "other", message: "x" })).toBeNull();
    expect(parseHistoryProblem({ kind: "writeFailed" })).toBeNull();
    expect(parseHistoryProblem({ kind: "writeFailed", message: "m" })).toEqual({
      kind: "writeFailed",
      message: "m",
    });
  });
});
