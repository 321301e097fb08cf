import { signal } from "@preact/signals";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Rpc } from "../rpc";
import { RpcError } from "../rpc";
import type { WsEnvironment } from "../types";
import {
  ADOPTING_KEY,
  EnvStore,
  GLOBALS_ID,
  STORAGE_KEY,
  emptyState,
  serializeEnvState,
} from "./store";

function fakeRpc(answer: (method: string, params: Record<string, unknown>) => unknown) {
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const rpc: Rpc = {
    call: <T>(method: string, params?: unknown) => {
      const p = (params ?? {}) as Record<string, unknown>;
      calls.push({ method, params: p });
      try {
        return Promise.resolve(answer(method, p) as T);
      } catch (e) {
        return Promise.reject(e as Error);
      }
    },
    batch: () => Promise.resolve([]),
    on: () => () => undefined,
    status: signal("open"),
    generation: signal(1),
    problem: signal(""),
  };
  return { rpc, calls };
}

const memory = (): Storage => {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, v),
  };
};

describe("EnvStore with the workspace", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("creates Globals on first save, then saves in place with the revision", async () => {
    let n = 0;
    const { rpc, calls } = fakeRpc((method, p) => {
      if (method !== "wsdeck.environments.save") return null;
      const env = p.environment as WsEnvironment;
      n += 1;
      return { ...env, slug: env.slug ?? "globals", revision: `r${n}` };
    });
    const store = new EnvStore(memory(), true);
    store.useWorkspace(rpc, []);
    store.updateEnvironment(GLOBALS_ID, (e) => ({
      ...e,
      variables: [{ name: "tok", value: "s3", secret: true }],
    }));
    await vi.advanceTimersByTimeAsync(600);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.params.environment).toEqual({
      name: "Globals",
      variables: [{ name: "tok", value: "s3", enabled: true, secret: true }],
      revision: null,
    });
    expect(store.state.peek().globals.slug).toBe("globals");
    store.updateEnvironment(GLOBALS_ID, (e) => ({ ...e, variables: [] }));
    await vi.advanceTimersByTimeAsync(600);
    expect(calls[1]?.params.environment).toMatchObject({ slug: "globals", revision: "r1" });
  });

  it("keeps edits made before the workspace answered, and saves them", async () => {
    const { rpc, calls } = fakeRpc((_m, p) => ({
      ...(p.environment as WsEnvironment),
      slug: "dev",
      revision: "r",
    }));
    const store = new EnvStore(memory(), true);
    const id = store.addEnvironment("Dev");
    store.useWorkspace(rpc, []);
    expect(store.state.peek().environments.map((e) => e.id)).toEqual([id]);
    await vi.advanceTimersByTimeAsync(10);
    expect(calls.map((c) => c.method)).toEqual(["wsdeck.environments.save"]);
    // A later load keeps the id the page uses (an open dialog keeps its selection).
    store.useWorkspace(rpc, [{ slug: "dev", name: "Dev", variables: [], revision: "r" }]);
    expect(store.state.peek().environments.map((e) => e.id)).toEqual([id]);
  });

  it("a variable row without a name yet survives the save and reload of its environment", async () => {
    const { rpc } = fakeRpc((_m, p) => ({ ...(p.environment as WsEnvironment), revision: "r2" }));
    const store = new EnvStore(memory(), true);
    const disk: WsEnvironment = {
      slug: "dev",
      name: "Dev",
      variables: [{ name: "host", value: "h", secret: false, enabled: true }],
      revision: "r1",
    };
    store.useWorkspace(rpc, [disk]);
    store.updateEnvironment("ws-dev", (e) => ({
      ...e,
      variables: [...e.variables, { name: "", value: "", secret: false }],
    }));
    await vi.advanceTimersByTimeAsync(600);
    // The save wrote only "host"; the reload after it must not drop the row being typed.
    store.useWorkspace(rpc, [{ ...disk, revision: "r2" }]);
    const dev = store.state.peek().environments[0];
    expect(dev?.variables.map((v) => v.name)).toEqual(["host", ""]);
  });

  it("a file changed on disk is saved over with force (the edit on screen wins)", async () => {
    const { rpc, calls } = fakeRpc((_m, p) => {
      if (!p.force) throw new RpcError({ code: -32009, message: "Changed on disk." });
      return { ...(p.environment as WsEnvironment), revision: "r2" };
    });
    const store = new EnvStore(memory(), true);
    store.useWorkspace(rpc, [{ slug: "dev", name: "Dev", variables: [], revision: "r1" }]);
    store.updateEnvironment("ws-dev", (e) => ({ ...e, name: "Dev 2" }));
    await vi.advanceTimersByTimeAsync(600);
    expect(calls.map((c) => Boolean(c.params.force))).toEqual([false, true]);
    expect(store.saveError.peek()).toMatch(/changed on disk/);
  });

  it("moves environments this browser kept into the workspace once, without overwriting", async () => {
    const storage = memory();
    const local = emptyState();
    local.environments = [
      { id: "a", name: "Staging", variables: [{ name: "host", value: "s.local", secret: false }] },
      { id: "b", name: "dev", variables: [{ name: "host", value: "old", secret: false }] },
      { id: "c", name: "Prod", variables: [{ name: "key", value: "hidden", secret: true }] },
    ];
    local.globals.variables = [
      { name: "user", value: "ada", secret: false },
      { name: "shared", value: "browser", secret: false },
    ];
    local.activeId = "a";
    storage.setItem(STORAGE_KEY, serializeEnvState(local));
    const saved: WsEnvironment[] = [];
    const { rpc } = fakeRpc((method, p) => {
      if (method !== "wsdeck.environments.save") return null;
      const env = p.environment as WsEnvironment;
      saved.push(env);
      return { ...env, slug: env.slug ?? env.name.toLowerCase(), revision: "r" };
    });
    const store = new EnvStore(storage, true);
    store.useWorkspace(rpc, [
      { slug: "dev", name: "Dev", variables: [], revision: "r0" },
      {
        slug: "globals",
        name: "Globals",
        variables: [{ name: "shared", value: "disk", secret: false, enabled: true }],
        revision: "g0",
      },
    ]);
    const state = store.state.peek();
    // "dev" is already in the workspace (names compare without case): it is not copied.
    expect(state.environments.map((e) => e.name)).toEqual(["Dev", "Staging", "Prod"]);
    expect(state.environments.find((e) => e.id === state.activeId)?.name).toBe("Staging");
    expect(state.globals.variables.map((v) => `${v.name}=${v.value}`)).toEqual([
      "shared=disk",
      "user=ada",
    ]);
    expect(store.notice.peek()).toContain('"Staging", "Prod"');
    expect(store.notice.peek()).toContain("enter them again");
    // The browser's copy stays until everything is in the workspace.
    expect(storage.getItem(STORAGE_KEY)).not.toBeNull();
    await vi.advanceTimersByTimeAsync(10);
    expect(saved.map((e) => e.name).sort()).toEqual(["Globals", "Prod", "Staging"]);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    // A later load adopts nothing again.
    store.useWorkspace(rpc, []);
    await vi.advanceTimersByTimeAsync(10);
    expect(saved).toHaveLength(3);
  });

  it("a second page of the same browser does not copy them again", async () => {
    const storage = memory();
    const local = emptyState();
    local.environments = [{ id: "a", name: "Staging", variables: [] }];
    storage.setItem(STORAGE_KEY, serializeEnvState(local));
    const saved: string[] = [];
    const { rpc } = fakeRpc((_method, p) => {
      const env = p.environment as WsEnvironment;
      saved.push(env.name);
      return { ...env, slug: "staging", revision: "r" };
    });
    const first = new EnvStore(storage, true);
    const second = new EnvStore(storage, true);
    first.useWorkspace(rpc, []);
    second.useWorkspace(rpc, []);
    expect(second.state.peek().environments).toEqual([]);
    expect(second.notice.peek()).toBe("");
    await vi.advanceTimersByTimeAsync(10);
    expect(saved).toEqual(["Staging"]);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
    expect(storage.getItem(ADOPTING_KEY)).toBeNull();
  });

  it("keeps the browser's copy while a move could not be saved", async () => {
    const storage = memory();
    const local = emptyState();
    local.environments = [{ id: "a", name: "Staging", variables: [] }];
    storage.setItem(STORAGE_KEY, serializeEnvState(local));
    const { rpc } = fakeRpc(() => {
      throw new RpcError({ code: -32000, message: "disk full" });
    });
    const store = new EnvStore(storage, true);
    store.useWorkspace(rpc, []);
    await vi.advanceTimersByTimeAsync(10);
    expect(store.saveError.peek()).toContain("disk full");
    expect(storage.getItem(STORAGE_KEY)).not.toBeNull();
  });
});
