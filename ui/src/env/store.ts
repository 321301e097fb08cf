// Environments and globals: variables for `{{name}}` in URLs, params, headers and messages.
// Saved in localStorage, except secret values, which live only in this page's memory.

import { computed, signal } from "@preact/signals";
import type { Variable } from "../types";

export interface EnvVariable {
  name: string;
  value: string;
  secret: boolean;
}

export interface Environment {
  id: string;
  name: string;
  variables: EnvVariable[];
}

export interface EnvState {
  globals: Environment;
  environments: Environment[];
  activeId: string | null;
}

export const STORAGE_KEY = "wsdeck.environments";
export const GLOBALS_ID = "globals";

export function emptyState(): EnvState {
  return {
    globals: { id: GLOBALS_ID, name: "Globals", variables: [] },
    environments: [],
    activeId: null,
  };
}

/** The text saved to storage: secret values are left out. */
export function serializeEnvState(state: EnvState): string {
  const strip = (env: Environment): Environment => ({
    ...env,
    variables: env.variables.map((v) => (v.secret ? { ...v, value: "" } : v)),
  });
  return JSON.stringify({
    version: 1,
    globals: strip(state.globals),
    environments: state.environments.map(strip),
    activeId: state.activeId,
  });
}

function readEnv(raw: unknown, fallbackId: string): Environment | null {
  if (!raw || typeof raw !== "object") return null;
  const r = raw as Record<string, unknown>;
  const variables = Array.isArray(r.variables)
    ? r.variables
        .filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object")
        .map((v) => ({
          name: typeof v.name === "string" ? v.name : "",
          value: typeof v.value === "string" && v.secret !== true ? v.value : "",
          secret: v.secret === true,
        }))
    : [];
  return {
    id: typeof r.id === "string" && r.id ? r.id : fallbackId,
    name: typeof r.name === "string" ? r.name : "Environment",
    variables,
  };
}

/** Reads saved state; anything unreadable gives the empty state. */
export function deserializeEnvState(text: string | null): EnvState {
  const state = emptyState();
  if (!text) return state;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return state;
  }
  if (!raw || typeof raw !== "object") return state;
  const r = raw as Record<string, unknown>;
  const globals = readEnv(r.globals, GLOBALS_ID);
  if (globals) state.globals = { ...globals, id: GLOBALS_ID, name: "Globals" };
  if (Array.isArray(r.environments)) {
    state.environments = r.environments
      .map((e, i) => readEnv(e, `env-${i}`))
      .filter((e): e is Environment => e !== null);
  }
  const active = typeof r.activeId === "string" ? r.activeId : null;
  state.activeId = state.environments.some((e) => e.id === active) ? active : null;
  return state;
}

/** The variables a request sees: globals, overridden by the active environment's. */
export function effectiveVariables(state: EnvState): Variable[] {
  const byName = new Map<string, Variable>();
  const active = state.environments.find((e) => e.id === state.activeId);
  for (const env of active ? [state.globals, active] : [state.globals]) {
    for (const v of env.variables) {
      const name = v.name.trim();
      if (!name) continue;
      byName.set(
        name,
        v.secret ? { name, value: v.value, secret: true } : { name, value: v.value },
      );
    }
  }
  return [...byName.values()];
}

let counter = 0;
export function newId(): string {
  counter += 1;
  return `env-${Date.now().toString(36)}-${counter}`;
}

export class EnvStore {
  readonly state;
  readonly variables;

  constructor(private readonly storage: Storage | null = safeLocalStorage()) {
    this.state = signal<EnvState>(deserializeEnvState(storage?.getItem(STORAGE_KEY) ?? null));
    this.variables = computed(() => effectiveVariables(this.state.value));
  }

  update(change: (state: EnvState) => EnvState): void {
    this.state.value = change(this.state.peek());
    try {
      this.storage?.setItem(STORAGE_KEY, serializeEnvState(this.state.peek()));
    } catch {
      // Storage full or blocked: the environments still work for this page.
    }
  }

  setActive(id: string | null): void {
    this.update((s) => ({ ...s, activeId: id }));
  }

  addEnvironment(name: string): string {
    const id = newId();
    this.update((s) => ({
      ...s,
      environments: [...s.environments, { id, name, variables: [] }],
    }));
    return id;
  }

  removeEnvironment(id: string): void {
    this.update((s) => ({
      ...s,
      environments: s.environments.filter((e) => e.id !== id),
      activeId: s.activeId === id ? null : s.activeId,
    }));
  }

  updateEnvironment(id: string, change: (env: Environment) => Environment): void {
    this.update((s) =>
      id === GLOBALS_ID
        ? { ...s, globals: change(s.globals) }
        : { ...s, environments: s.environments.map((e) => (e.id === id ? change(e) : e)) },
    );
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === "undefined" ? null : localStorage;
  } catch {
    return null;
  }
}
