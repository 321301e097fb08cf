import { describe, expect, it } from "vitest";
import { describeVariable } from "./variablesExtension";

describe("describeVariable", () => {
  const vars = [
    { name: "host", value: "127.0.0.1" },
    { name: "token", value: "s3cret", secret: true },
  ];
  it("shows values, masks secrets and says what is not defined", () => {
    expect(describeVariable("host", vars)).toBe("host = 127.0.0.1");
    expect(describeVariable("token", vars)).toBe("token = ****");
    expect(describeVariable("nope", vars)).toMatch(/^nope is not defined/);
    expect(describeVariable("$randomUUID", vars)).toMatch(/dynamic variable/);
  });
});
