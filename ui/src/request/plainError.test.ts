import { describe, expect, it } from "vitest";
import { plainError } from "./plainError";

describe("plainError", () => {
  it("names the field instead of the JSON path", () => {
    expect(
      plainError("Invalid params: at `url`: url, line 1, column 34: undefined variable `nope`."),
    ).toBe("In the URL: line 1, column 34: undefined variable `nope`.");
    expect(plainError("Invalid params: at `headers[1]`: bad name.")).toBe("In header 2: bad name.");
    expect(plainError("Invalid params: at `protocols[0]`: empty.")).toBe("In protocol 1: empty.");
    expect(plainError("Invalid params: at `code`: 1005 cannot be sent.")).toBe(
      "In the close code: 1005 cannot be sent.",
    );
  });
  it("leaves other texts alone", () => {
    expect(plainError("Connection refused")).toBe("Connection refused");
    expect(plainError("could not connect")).toBe("Could not connect");
    expect(plainError("")).toBe("");
  });
});
