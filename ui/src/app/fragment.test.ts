import { describe, expect, it } from "vitest";
import { guessFormat, parseFragment } from "./fragment";

describe("parseFragment", () => {
  it("reads url, connect and message", () => {
    expect(
      parseFragment("#url=ws%3A%2F%2F127.0.0.1%3A9001%2Fecho&connect=1&message=hello%20there"),
    ).toEqual({ url: "ws://127.0.0.1:9001/echo", connect: true, message: "hello there" });
  });
  it("is empty without a fragment", () => {
    expect(parseFragment("")).toEqual({ url: null, connect: false, message: null });
  });
  it("does not connect without a URL", () => {
    expect(parseFragment("connect=1")).toEqual({ url: null, connect: false, message: null });
    expect(parseFragment("#url=ws://h/&connect=0").connect).toBe(false);
  });
});

describe("guessFormat", () => {
  it("recognises JSON, with variables too", () => {
    expect(guessFormat('{"id": "{{$randomUUID}}", "n": {{n}}}')).toBe("json");
    expect(guessFormat("[1, 2]")).toBe("json");
    expect(guessFormat("hello")).toBe("text");
    expect(guessFormat("{oops")).toBe("text");
  });
});
