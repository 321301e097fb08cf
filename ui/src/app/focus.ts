// Focus that crosses components, without DOM ids or aria-label selectors: a component hands
// an element to a registry through a ref callback, and whoever must move focus there (the
// workbench after closing a tab, the `/` shortcut) asks by key. Focus inside a component's
// own subtree stays with that component's own refs.

/** Elements by key, registered through ref callbacks; one element per key at a time. */
export class FocusRegistry<K> {
  private readonly elements = new Map<K, HTMLElement>();
  private readonly callbacks = new Map<K, (el: HTMLElement | null) => void>();

  /** The ref callback for `key`. The same function on every render, so Preact calls it only
   *  when the element mounts (kept) and unmounts (forgotten: a closed tab's DOM is freed). */
  ref(key: K): (el: HTMLElement | null) => void {
    let callback = this.callbacks.get(key);
    if (!callback) {
      callback = (el) => {
        if (el) {
          this.elements.set(key, el);
        } else {
          this.elements.delete(key);
          this.callbacks.delete(key);
        }
      };
      this.callbacks.set(key, callback);
    }
    return callback;
  }

  get(key: K): HTMLElement | undefined {
    return this.elements.get(key);
  }

  focus(key: K): void {
    this.elements.get(key)?.focus();
  }

  /** Focuses `key` once the render under way is done (a tab just opened has its button then). */
  focusSoon(key: K): void {
    setTimeout(() => this.focus(key), 0);
  }
}

/** The parts of the tabs that focus is moved to from outside them. */
export class TabFocus {
  /** The tab strip's buttons (role="tab"), by tab id. */
  readonly buttons = new FocusRegistry<number>();
  /** The tab panels, by tab id: whether focus was inside a tab that is closing. */
  readonly panels = new FocusRegistry<number>();
  /** Each tab's "Search messages" box, by tab id: the `/` shortcut. */
  readonly searchBoxes = new FocusRegistry<number>();

  /** Whether focus is nowhere in particular (the page's body) or inside one of the panels of
   *  `ids`: closing those tabs then loses it, and it should go to a tab instead. */
  isLostWhenClosing(ids: number[]): boolean {
    const at = document.activeElement;
    if (!at || at === document.body) return true;
    return ids.some((id) => this.panels.get(id)?.contains(at) ?? false);
  }
}
