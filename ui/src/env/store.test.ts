import { describe, expect, it } from "vitest";
import {
  EnvStore,
  GLOBALS_ID,
  stateFromWorkspace,
  toWire,
  STORAGE_KEY,
  deserializeEnvState,
  effectiveVariables,
  emptyState,
  serializeEnvState,
  type EnvState,
} from "./store";

function sample(): EnvState {
  const state = emptyState();
  state.globals.variables = [{ name: "host", value: "127.0.0.1", secret: false }];
  state.environments = [
    {
      id: "e1",
      name: "Local",
      variables: [
        { name: "host", value: "localhost", secret: false },
        { name: "token", value: "s3cr3t", secret: true },
      ],
    },
  ];
  state.activeId = "e1";
  return state;
}

describe("environment persistence", () => {
  it("never writes secret values", () => {
    const text = serializeEnvState(sample());
    expect(text).not.toContain("s3cr3t");
    const back = deserializeEnvState(text);
    expect(back.environments[0]?.variables).toEqual([
      { name: "host", value: "localhost", secret: false },
      { name: "token", value: "", secret: true },
    ]);
    expect(back.activeId).toBe("e1");
    expect(back.globals.variables).toEqual([{ name: "host", value: "127.0.0.1", secret: false }]);
  });
  it("survives garbage", () => {
    expect(deserializeEnvState("{not json")).toEqual(emptyState());
    expect(deserializeEnvState(null)).toEqual(emptyState());
    expect(deserializeEnvState('{"activeId":"nope","environments":[null]}')).toEqual(emptyState());
  });
  it("resolves globals overridden by the active environment", () => {
    expect(effectiveVariables(sample())).toEqual([
      { name: "host", value: "localhost" },
      { name: "token", value: "s3cr3t", secret: true },
    ]);
    expect(effectiveVariables({ ...sample(), activeId: null })).toEqual([
      { name: "host", value: "127.0.0.1" },
    ]);
  });
  it("a disabled variable is kept, but {{name}} does not see it (and it survives a reload)", () => {
    const state = sample();
    const active = state.environments[0]!;
    active.variables = active.variables.map((v) =>
      v.name === "host" ? { ...v, enabled: false } : v,
    );
    expect(effectiveVariables(state).find((v) => v.name === "host")).toEqual({
      name: "host",
      value: "127.0.0.1",
    });
    const again = deserializeEnvState(serializeEnvState(state));
    expect(again.environments[0]?.variables.find((v) => v.name === "host")?.enabled).toBe(false);
  });
  it("the store saves on every change and keeps secrets in memory", () => {
    localStorage.clear();
    const store = new EnvStore(localStorage);
    const id = store.addEnvironment("Staging");
    store.updateEnvironment(id, (e) => ({
      ...e,
      variables: [{ name: "key", value: "hidden", secret: true }],
    }));
    store.setActive(id);
    expect(store.variables.value).toEqual([{ name: "key", value: "hidden", secret: true }]);
    expect(localStorage.getItem(STORAGE_KEY)).not.toContain("hidden");
    const reloaded = new EnvStore(localStorage);
    expect(reloaded.state.value.activeId).toBe(id);
    expect(reloaded.variables.value).toEqual([{ name: "key", value: "", secret: true }]);
  });
});

describe("environments in the workspace", () => {
  it("reads Globals and environments, keeping unsaved ones and the active slug", () => {
    const unsaved = { id: "env-x", name: "New", variables: [] };
    const s = stateFromWorkspace(
      [
        {
          slug: "globals",
          name: "Globals",
          variables: [{ name: "g", value: "1", enabled: true, secret: false }],
          revision: "a",
        },
        {
          slug: "dev",
          name: "Dev",
          variables: [{ name: "t", value: "s", enabled: false, secret: true }],
          revision: "b",
        },
      ],
      "dev",
      [unsaved],
    );
    expect(s.globals.id).toBe(GLOBALS_ID);
    expect(s.globals.slug).toBe("globals");
    expect(s.environments.map((e) => e.name)).toEqual(["Dev", "New"]);
    expect(s.activeId).toBe("ws-dev");
    // A disabled variable is not used.
    expect(effectiveVariables(s)).toEqual([{ name: "g", value: "1" }]);
  });

  it("writes secret values too, and skips rows without a name", () => {
    const wire = toWire({
      id: GLOBALS_ID,
      name: "whatever",
      variables: [
        { name: " tok ", value: "s3", secret: true },
        { name: "", value: "x", secret: false },
      ],
    });
    expect(wire).toEqual({
      name: "Globals",
      variables: [{ name: "tok", value: "s3", enabled: true, secret: true }],
      revision: null,
    });
  });
});
