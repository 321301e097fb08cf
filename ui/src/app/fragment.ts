import { maskVariables } from "../composer/validate";

// What the page's fragment asks for once `takeToken` removed the token:
// `url=…` (open the first tab with it), `connect=1` (connect at once), `message=…`.

export interface FragmentRequest {
  url: string | null;
  connect: boolean;
  message: string | null;
}

export function parseFragment(hash: string): FragmentRequest {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const url = params.get("url");
  const message = params.get("message");
  const connect = params.get("connect");
  return {
    url: url ? url : null,
    connect: Boolean(url) && (connect === "1" || connect === "true"),
    message: message ?? null,
  };
}

/** JSON when the message parses as JSON once `{{variables}}` are filled in, else text. */
export function guessFormat(message: string): "json" | "text" {
  const trimmed = message.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return "text";
  try {
    JSON.parse(maskVariables(trimmed));
    return "json";
  } catch {
    return "text";
  }
}
