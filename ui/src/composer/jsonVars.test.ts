import { describe, expect, it } from "vitest";
import { protectVariables } from "./jsonVars";

describe("protectVariables", () => {
  it("swaps references outside strings and restores them", () => {
    const p = protectVariables('{"n": {{count}}, "s": "{{name}}", "e": "a\\"{{x}}"}');
    expect(p.text).toMatch(
      /^\{"n": "wsdeck-var-[a-z0-9]+-0", "s": "\{\{name\}\}", "e": "a\\"\{\{x\}\}"\}$/,
    );
    const pretty = JSON.stringify(JSON.parse(p.text), null, 2);
    expect(p.restore(pretty)).toBe(
      '{\n  "n": {{count}},\n  "s": "{{name}}",\n  "e": "a\\"{{x}}"\n}',
    );
  });
  it("leaves text without references alone", () => {
    const p = protectVariables("[1, 2]");
    expect(p.text).toBe("[1, 2]");
    expect(p.restore("[\n  1,\n  2\n]")).toBe("[\n  1,\n  2\n]");
  });
});
