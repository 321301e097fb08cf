import { describe, expect, it } from "vitest";
import {
  EnvStore,
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
