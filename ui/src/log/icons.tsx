// The log's small icons, shared by a row and its opened message (kept apart from both so
// neither imports the other for a glyph).

export function DirIcon({ label }: { label: string }) {
  const glyph = label === "Incoming" ? "↓" : label === "Outgoing" ? "↑" : "⇄";
  return (
    <span
      class={`log-dir log-dir-${label.toLowerCase()}`}
      role="img"
      aria-label={label}
      title={label}
    >
      {glyph}
    </span>
  );
}

export function CopyIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M5 1h8a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-1V3H5V2a1 1 0 0 1 1-1Zm-3 4h8a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H2a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Zm.5 1.5v7h7v-7h-7Z"
      />
    </svg>
  );
}

export function InfoIcon() {
  return (
    <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm0 1.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM7.25 7h1.5v4.5h-1.5V7Zm.75-2.75a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8Z"
      />
    </svg>
  );
}
