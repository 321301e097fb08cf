import { describe, expect, it } from "vitest";
import { headerNameProblem } from "./headers";

describe("headerNameProblem", () => {
  it("accepts tokens, blanks and variables", () => {
    for (const ok of ["Authorization", "X-Api-Key", "x_y.z", "", "  ", "{{name}}"])
      expect(headerNameProblem(ok)).toBe("");
  });
  it("names the character that cannot be in a header name", () => {
    expect(headerNameProblem("Bad Header")).toMatch(/cannot contain a space/);
    expect(headerNameProblem("X:Y")).toMatch(/cannot contain ":"/);
  });
  it("says why Sec-WebSocket-Key cannot be set", () => {
    expect(headerNameProblem("sec-websocket-key")).toMatch(/fresh Sec-WebSocket-Key/);
  });
});
