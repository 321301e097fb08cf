// The link to wsdeck in plain words: shown only when something is wrong (and briefly
// "Reconnected" once it is fixed). The live region is always in the page so screen readers
// announce changes.

import { useEffect, useRef, useState } from "preact/hooks";
import type { Rpc } from "../rpc";

export function LinkBanner({ rpc }: { rpc: Rpc }) {
  const problem = rpc.problem.value;
  const status = rpc.status.value;
  const [reconnected, setReconnected] = useState(false);
  const hadProblem = useRef(false);

  useEffect(() => {
    if (problem || status === "unauthorized") {
      hadProblem.current = true;
      setReconnected(false);
      return;
    }
    if (status === "open" && hadProblem.current) {
      hadProblem.current = false;
      setReconnected(true);
      const t = setTimeout(() => setReconnected(false), 3000);
      return () => clearTimeout(t);
    }
    return;
  }, [problem, status]);

  let text = "";
  let kind = "";
  if (problem) {
    text = problem;
    kind = "banner-error";
  } else if (status === "unauthorized") {
    text =
      "wsdeck refused this page's token. Open the address wsdeck printed when it started (the token changes on every run).";
    kind = "banner-error";
  } else if (reconnected) {
    text = "Reconnected";
    kind = "banner-ok";
  }
  return (
    <div role="alert" class={`banner ${kind}`}>
      {text}
    </div>
  );
}
