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

/** A one-path icon from a 16×16 box, coloured like the text around it. */
function Glyph({ d, size = 12 }: { d: string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d={d} />
    </svg>
  );
}

export const CopyIcon = () => (
  <Glyph d="M5 1h8a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1h-1V3H5V2a1 1 0 0 1 1-1Zm-3 4h8a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H2a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1Zm.5 1.5v7h7v-7h-7Z" />
);

export const InfoIcon = () => (
  <Glyph d="M8 1a7 7 0 1 1 0 14A7 7 0 0 1 8 1Zm0 1.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11ZM7.25 7h1.5v4.5h-1.5V7Zm.75-2.75a.9.9 0 1 1 0 1.8.9.9 0 0 1 0-1.8Z" />
);

export const TrashIcon = () => (
  <Glyph
    size={14}
    d="M6 1h4a1 1 0 0 1 1 1v1h3v1.5H2V3h3V2a1 1 0 0 1 1-1Zm0 2h4V2.5H6V3ZM3 6h10l-.8 8.1A1 1 0 0 1 11.2 15H4.8a1 1 0 0 1-1-.9L3 6Zm3 1.5v6h1.2v-6H6Zm2.8 0v6H10v-6H8.8Z"
  />
);
