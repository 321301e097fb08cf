// Arrow-key navigation for role="tablist" (automatic activation, roving tabindex).

/** The index the key moves to, or null when the key is not a tablist key. */
export function tabKeyTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  switch (key) {
    case "ArrowRight":
    case "ArrowDown":
      return (index + 1) % count;
    case "ArrowLeft":
    case "ArrowUp":
      return (index - 1 + count) % count;
    case "Home":
      return 0;
    case "End":
      return count - 1;
    default:
      return null;
  }
}

/** Handles a keydown on a tab: selects and focuses the target tab. */
export function handleTabKey(
  e: KeyboardEvent,
  index: number,
  count: number,
  select: (index: number) => void,
): void {
  const target = tabKeyTarget(e.key, index, count);
  if (target === null) return;
  e.preventDefault();
  select(target);
  const list = (e.currentTarget as HTMLElement).closest('[role="tablist"]');
  const tabs = list?.querySelectorAll<HTMLElement>('[role="tab"]');
  tabs?.[target]?.focus();
}
