// Environments and globals: variables for `{{name}}` in URLs, params, headers and messages.
// Kept in the workspace (`wsdeck.environments.*`; wsdeck stores secret values in its data
// folder). Where the workspace is not available, saved in localStorage, except secret
// values, which live only in this page's memory. Environments an older page kept in this
// browser move into the workspace the first time it is available (`adoptLocal`).

import { computed, signal } from "@preact/signals";
import { errorReason } from "../errors";
import { RpcError, type Rpc } from "../rpc";
import type { Variable, WsEnvironment } from "../types";

export interface EnvVariable {
  name: string;
  value: string;
  secret: boolean;
  enabled?: boolean;
}

export interface Environment {
  id: string;
  name: string;
  variables: EnvVariable[];
  /** The workspace file's slug, once saved there. */
  slug?: string;
  revision?: string | null;
}

/** Where environments are kept: not known yet, this browser, or the workspace. */
export type EnvMode = "pending" | "local" | "workspace";

export const ACTIVE_KEY = "wsdeck.activeEnvironment";
export const GLOBALS_SLUG = "globals";

/** Workspace environments as the store's state (`globals` is the Globals environment). */
export function stateFromWorkspace(
  envs: WsEnvironment[],
  activeSlug: string | null,
  keep: Environment[] = [],
  /** Ids the page already uses for these slugs (an open dialog keeps its selection). */
  ids: Map<string, string> = new Map(),
): EnvState {
  const toEnv = (e: WsEnvironment): Environment => ({
    id: e.slug === GLOBALS_SLUG ? GLOBALS_ID : (ids.get(e.slug ?? "") ?? `ws-${e.slug ?? ""}`),
    name: e.slug === GLOBALS_SLUG ? "Globals" : e.name,
    slug: e.slug,
    revision: e.revision,
    // The wire's defaults for what it leaves out: empty, not secret, enabled.
    variables: e.variables.map((v) => ({
      name: v.name,
      value: v.value ?? "",
      secret: v.secret ?? false,
      enabled: v.enabled ?? true,
    })),
  });
  const state = emptyState();
  for (const e of envs) {
    const env = toEnv(e);
    if (env.id === GLOBALS_ID) state.globals = env;
    else state.environments.push(env);
  }
  for (const k of keep) {
    if (k.id === GLOBALS_ID) state.globals = k;
    else {
      const at = state.environments.findIndex((e) => e.id === k.id);
      if (at >= 0) state.environments[at] = k;
      else state.environments.push(k);
    }
  }
  const active = state.environments.find((e) => e.slug !== undefined && e.slug === activeSlug);
  state.activeId = active?.id ?? null;
  return state;
}

/** The wire environment for a save (rows without a name are not written). */
export function toWire(env: Environment): WsEnvironment {
  const out: WsEnvironment = {
    name: env.id === GLOBALS_ID ? "Globals" : env.name.trim() || "Unnamed environment",
    variables: env.variables
      .filter((v) => v.name.trim() !== "")
      .map((v) => ({
        name: v.name.trim(),
        value: v.value,
        enabled: v.enabled !== false,
        secret: v.secret,
      })),
    revision: env.revision ?? null,
  };
  if (env.slug) out.slug = env.slug;
  return out;
}

export interface EnvState {
  globals: Environment;
  environments: Environment[];
  activeId: string | null;
}

export const STORAGE_KEY = "wsdeck.environments";
/** Set while a page moves this browser's environments into the workspace (ms since epoch). */
export const ADOPTING_KEY = "wsdeck.environments.adopting";
const ADOPTING_FOR_MS = 60_000;
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
          ...(v.enabled === false ? { enabled: false } : {}),
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
      if (v.enabled === false) continue;
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

function allEnvs(s: EnvState): Environment[] {
  return [s.globals, ...s.environments];
}

export class EnvStore {
  readonly state;
  readonly variables;
  readonly mode;
  /** The last failed save, in words ("" when none). */
  readonly saveError = signal("");
  /** What moving this browser's environments into the workspace did ("" when nothing). */
  readonly notice = signal("");
  /** Environments moved from this browser whose first save to the workspace is pending. */
  private adopting = new Set<string>();
  private adopted = false;
  private rpc: Rpc | null = null;
  /** Called after each write to the workspace. */
  onWrite: () => void = () => undefined;
  /** Environments edited but not yet written to the workspace. */
  private dirty = new Set<string>();
  private timers = new Map<string, ReturnType<typeof setTimeout>>();
  private saving = new Set<string>();
  private again = new Set<string>();

  /** `pending`: wait for the workspace (`useWorkspace`) or the fallback (`useLocal`). */
  constructor(
    private readonly storage: Storage | null = safeLocalStorage(),
    pending = false,
  ) {
    this.mode = signal<EnvMode>(pending ? "pending" : "local");
    this.state = signal<EnvState>(
      pending ? emptyState() : deserializeEnvState(storage?.getItem(STORAGE_KEY) ?? null),
    );
    this.variables = computed(() => effectiveVariables(this.state.value));
  }

  /** The workspace is not available: environments live in this browser, as before. */
  useLocal(): void {
    if (this.mode.peek() === "local") return;
    this.mode.value = "local";
    if (this.dirty.size === 0) {
      this.state.value = deserializeEnvState(this.storage?.getItem(STORAGE_KEY) ?? null);
    } else this.writeLocal();
    this.dirty.clear();
  }

  /** The workspace's environments (after each load); edits not saved yet are kept. */
  useWorkspace(rpc: Rpc, envs: WsEnvironment[]): void {
    this.rpc = rpc;
    this.mode.value = "workspace";
    const current = this.state.peek();
    const keep = allEnvs(current).filter(
      (e) => this.dirty.has(e.id) || this.saving.has(e.id) || (!e.slug && e.id !== GLOBALS_ID),
    );
    let activeSlug: string | null = null;
    try {
      activeSlug = this.storage?.getItem(ACTIVE_KEY) ?? null;
    } catch {
      activeSlug = null;
    }
    const ids = new Map<string, string>();
    for (const e of current.environments) if (e.slug) ids.set(e.slug, e.id);
    const next = stateFromWorkspace(envs, activeSlug, keep, ids);
    if (current.activeId && next.environments.some((e) => e.id === current.activeId))
      next.activeId = current.activeId;
    // Rows still being typed (no name yet) are not in the files: keep them on screen.
    const drafts = new Map(
      allEnvs(current).map((e) => [e.id, e.variables.filter((v) => !v.name.trim())]),
    );
    const withDrafts = (e: Environment): Environment => {
      const rows = drafts.get(e.id) ?? [];
      const onDisk = e.variables.filter((v) => v.name.trim());
      return rows.length && onDisk.length === e.variables.length
        ? { ...e, variables: [...e.variables, ...rows] }
        : e;
    };
    next.globals = withDrafts(next.globals);
    next.environments = next.environments.map(withDrafts);
    this.state.value = next;
    if (!this.adopted) {
      this.adopted = true;
      this.adoptLocal();
    }
    for (const id of this.dirty) this.schedule(id, 0);
  }

  /**
   * Moves what this browser kept (before environments lived in the workspace) into it:
   * environments whose name the workspace does not have, and Globals variables it lacks.
   * The browser's copy is removed once every one of them is saved; nothing is overwritten.
   */
  private adoptLocal(): void {
    let text: string | null = null;
    try {
      text = this.storage?.getItem(STORAGE_KEY) ?? null;
    } catch {
      return;
    }
    if (text === null) return;
    // Two pages of this browser open at once would both copy (and the workspace would get
    // "staging" and "staging-2"): the first to start marks it; the mark expires.
    try {
      const since = Number(this.storage?.getItem(ADOPTING_KEY) ?? "0");
      if (Date.now() - since < ADOPTING_FOR_MS) return;
      this.storage?.setItem(ADOPTING_KEY, String(Date.now()));
    } catch {
      return;
    }
    const local = deserializeEnvState(text);
    const s = this.state.peek();
    const taken = new Set(s.environments.map((e) => e.name.trim().toLowerCase()));
    const moved = local.environments.filter((e) => !taken.has(e.name.trim().toLowerCase()));
    const haveGlobal = new Set(s.globals.variables.map((v) => v.name));
    const newGlobals = local.globals.variables.filter((v) => v.name && !haveGlobal.has(v.name));
    if (moved.length === 0 && newGlobals.length === 0) {
      this.forgetLocal();
      return;
    }
    const fresh = moved.map((e) => ({ ...e, id: newId(), slug: undefined, revision: null }));
    const next: EnvState = {
      ...s,
      environments: [...s.environments, ...fresh],
      globals:
        newGlobals.length > 0
          ? { ...s.globals, variables: [...s.globals.variables, ...newGlobals] }
          : s.globals,
    };
    const wasActive = local.environments.findIndex((e) => e.id === local.activeId);
    if (!s.activeId && wasActive >= 0) {
      const index = moved.indexOf(local.environments[wasActive] as Environment);
      if (index >= 0) next.activeId = fresh[index]?.id ?? null;
    }
    this.state.value = next;
    for (const e of fresh) {
      this.dirty.add(e.id);
      this.adopting.add(e.id);
    }
    if (newGlobals.length > 0) {
      this.dirty.add(GLOBALS_ID);
      this.adopting.add(GLOBALS_ID);
    }
    const names = [
      ...fresh.map((e) => `"${e.name}"`),
      ...(newGlobals.length > 0 ? [`${newGlobals.length} Globals variable(s)`] : []),
    ];
    const secrets = [...fresh.flatMap((e) => e.variables), ...newGlobals].some((v) => v.secret);
    this.notice.value =
      `Moved ${names.join(", ")} from this browser into the workspace.` +
      (secrets ? " Secret values were never saved in the browser: enter them again." : "");
  }

  /** Drops the browser's copy once the workspace holds everything that was in it. */
  private forgetLocal(): void {
    try {
      this.storage?.removeItem(STORAGE_KEY);
      this.storage?.removeItem(ADOPTING_KEY);
    } catch {
      // Blocked storage: it is read again next time and nothing new is adopted.
    }
  }

  update(change: (state: EnvState) => EnvState): void {
    const before = this.state.peek();
    this.state.value = change(before);
    const after = this.state.peek();
    if (this.mode.peek() === "local") {
      this.writeLocal();
      return;
    }
    const old = new Map(allEnvs(before).map((e) => [e.id, e]));
    for (const e of allEnvs(after)) {
      if (old.get(e.id) === e) continue;
      this.dirty.add(e.id);
      if (this.mode.peek() === "workspace") this.schedule(e.id, 500);
    }
    if (after.activeId !== before.activeId) this.rememberActive();
  }

  private writeLocal(): void {
    try {
      this.storage?.setItem(STORAGE_KEY, serializeEnvState(this.state.peek()));
    } catch {
      // Storage full or blocked: the environments still work for this page.
    }
  }

  private rememberActive(): void {
    const s = this.state.peek();
    const slug = s.environments.find((e) => e.id === s.activeId)?.slug;
    try {
      if (slug) this.storage?.setItem(ACTIVE_KEY, slug);
      else if (!s.activeId) this.storage?.removeItem(ACTIVE_KEY);
    } catch {
      // Not remembered: fine.
    }
  }

  private schedule(id: string, delay: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.set(
      id,
      setTimeout(() => void this.saveNow(id), delay),
    );
  }

  /** Writes one environment to the workspace (one save at a time per environment). */
  private async saveNow(id: string, force = false): Promise<void> {
    const rpc = this.rpc;
    if (!rpc) return;
    if (this.saving.has(id)) {
      this.again.add(id);
      return;
    }
    const env = allEnvs(this.state.peek()).find((e) => e.id === id);
    if (!env) {
      this.dirty.delete(id);
      return;
    }
    this.saving.add(id);
    this.dirty.delete(id);
    try {
      const saved = await rpc.call("wsdeck.environments.save", {
        environment: toWire(env),
        ...(force ? { force: true } : {}),
      });
      const patch = (e: Environment) =>
        e.id === id ? { ...e, slug: saved.slug, revision: saved.revision } : e;
      const s = this.state.peek();
      // Not through `update`: this is not an edit to save again.
      this.state.value = {
        ...s,
        globals: patch(s.globals),
        environments: s.environments.map(patch),
      };
      if (this.state.peek().activeId === id) this.rememberActive();
      if (this.adopting.delete(id) && this.adopting.size === 0) this.forgetLocal();
      this.saveError.value = "";
      this.onWrite();
    } catch (e) {
      if (e instanceof RpcError && e.code === -32009 && !force) {
        // Changed on disk while being edited here: what is on screen is the newest intent.
        this.saving.delete(id);
        await this.saveNow(id, true);
        this.saveError.value = `"${env.name}" had changed on disk; your edits were saved over it.`;
        return;
      }
      this.dirty.add(id);
      this.saveError.value = `Could not save "${env.name}": ${errorReason(e)}`;
    } finally {
      this.saving.delete(id);
    }
    if (this.again.delete(id)) await this.saveNow(id);
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
    const gone = this.state.peek().environments.find((e) => e.id === id);
    clearTimeout(this.timers.get(id));
    this.dirty.delete(id);
    if (this.adopting.delete(id) && this.adopting.size === 0) this.forgetLocal();
    if (this.mode.peek() === "workspace" && gone?.slug && this.rpc) {
      void this.rpc.call("wsdeck.environments.delete", { slug: gone.slug }).catch((e: unknown) => {
        this.saveError.value = `Could not delete "${gone.name}": ${e instanceof Error ? e.message : String(e)}`;
      });
    }
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
