import { describe, expect, it } from "vitest";
import { capitalized, errorReason, paramsProblem, requestError, workspaceError } from "./errors";
import { RpcError } from "./rpc";

/** An invalid-params error as wsdeck sends it: the message and `data {path, reason}`. */
function badParam(path: string, reason: string): RpcError {
  return new RpcError({
    code: -32602,
    message: `Invalid params: at \`${path}\`: ${reason}.`,
    data: { path, reason },
  });
}

describe("requestError", () => {
  it("names the field instead of the params path", () => {
    expect(requestError(badParam("url", "url, line 1, column 34: undefined variable `nope`"))).toBe(
      "In the URL: line 1, column 34: undefined variable `nope`.",
    );
    expect(requestError(badParam("headers[1]", "bad name"))).toBe("In header 2: bad name.");
    expect(requestError(badParam("headers.1.name", "bad name"))).toBe("In header 2: bad name.");
    expect(requestError(badParam("protocols[0]", "empty"))).toBe("In protocol 1: empty.");
    expect(requestError(badParam("code", "1005 cannot be sent"))).toBe(
      "In the close code: 1005 cannot be sent.",
    );
    expect(requestError(badParam("settings.tls", "no such file"))).toBe(
      "In the settings: no such file.",
    );
  });
  it("leaves other errors' words alone, as a sentence", () => {
    expect(requestError(new Error("Connection refused"))).toBe("Connection refused");
    expect(requestError(new Error("could not connect"))).toBe("Could not connect");
    expect(requestError(new RpcError({ code: -32002, message: "refused: 403" }))).toBe(
      "Refused: 403",
    );
    expect(requestError("")).toBe("");
  });
});

describe("errorReason", () => {
  it("is the reason of an invalid-params error, read from its data", () => {
    expect(errorReason(badParam("text", "not a valid regular expression: unclosed group"))).toBe(
      "not a valid regular expression: unclosed group.",
    );
  });
  it("is the message of any other error, whole", () => {
    const other = new RpcError({ code: -32602, message: "Invalid params: bad thing." });
    expect(paramsProblem(other)).toBeNull();
    expect(errorReason(other)).toBe("Invalid params: bad thing.");
    expect(errorReason(new Error("Not connected"))).toBe("Not connected");
  });
  it("capitalizes for a sentence on its own", () => {
    expect(capitalized("already fine")).toBe("Already fine");
  });
});

describe("errors in plain words", () => {
  it("says an invalid param's reason and explains changed-on-disk", () => {
    expect(
      workspaceError(
        new RpcError({
          code: -32602,
          message: "Invalid params: at `request.name`: a name can't contain /.",
          data: { path: "request.name", reason: "a name can't contain /" },
        }),
      ),
    ).toBe("A name can't contain /.");
    expect(
      workspaceError(
        new RpcError({
          code: -32009,
          message: "Changed on disk.",
          data: { path: "chat/login.wsdeck.toml", hint: "Load it again." },
        }),
      ),
    ).toBe(
      "The file changed on disk since it was loaded (login.wsdeck.toml). Overwrite it with this version, or reload it from disk.",
    );
  });
});
