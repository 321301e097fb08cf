import { describe, expect, it } from "vitest";
import { composerFormat, moveItem, renameMessage, savedFormat } from "./savedMessages";

describe("saved message formats", () => {
  it("maps message formats", () => {
    expect(composerFormat("binary-hex")).toEqual({ format: "binary", encoding: "hex" });
    expect(composerFormat("json")).toEqual({ format: "json" });
    expect(savedFormat("binary", "base64")).toBe("binary-base64");
    expect(savedFormat("xml", "hex")).toBe("xml");
  });
});

describe("message list operations", () => {
  const list = [
    { name: "a", format: "text" as const, body: "1" },
    { name: "b", format: "text" as const, body: "2" },
    { name: "c", format: "text" as const, body: "3" },
  ];
  it("moves and renames without touching the original", () => {
    expect(moveItem(list, 0, 2).map((m) => m.name)).toEqual(["b", "c", "a"]);
    expect(moveItem(list, 2, 1).map((m) => m.name)).toEqual(["a", "c", "b"]);
    expect(moveItem(list, 0, 3)).toBe(list);
    expect(renameMessage(list, 1, "x").map((m) => m.name)).toEqual(["a", "x", "c"]);
    expect(list[1]?.name).toBe("b");
  });
});
