// The history's problem, in the page: shown at once when wsdeck reports it, until dismissed.

import type { HistoryProblemStore } from "./problem";

const HEADLINE = {
  unavailable: "Running without a history.",
  writeFailed: "The history stopped recording.",
} as const;

export function HistoryBanner({ store }: { store: HistoryProblemStore }) {
  const problem = store.problem.value;
  if (!problem) return <div role="alert" class="banner" />;
  return (
    <div role="alert" class="banner banner-error history-banner">
      <strong>{HEADLINE[problem.kind]}</strong>{" "}
      <span class="history-problem">{problem.message}</span>{" "}
      <button type="button" class="small" onClick={() => store.dismiss()}>
        Dismiss
      </button>
    </div>
  );
}
