import { describe, expect, it } from "vitest";
import type { WsCollection, WsRequest } from "../types";
import { placeRequest } from "./store";
import { buildTree, collectionPaths } from "./tree";
import { login } from "../request/fixtures.test-support";

const root: WsCollection = {
  path: [],
  name: "",
  description: "",
  requests: ["top"],
  collections: [
    {
      path: ["chat"],
      name: "Chat",
      description: "",
      requests: ["chat/login"],
      collections: [
        {
          path: ["chat", "admin"],
          name: "Admin",
          description: "",
          requests: ["chat/admin/kick"],
          collections: [],
        },
      ],
    },
    { path: ["empty"], name: "Empty", description: "", requests: [], collections: [] },
  ],
};
const reqs: WsRequest[] = [
  login,
  {
    ...login,
    id: "chat/admin/kick",
    name: "Kick",
    url: "ws://h/kick",
    collection: ["chat", "admin"],
  },
  { ...login, id: "top", name: "Top", url: "ws://top", collection: [] },
];

describe("tree", () => {
  it("lists collections, and their contents when expanded", () => {
    const closed = buildTree(root, reqs, new Set());
    expect(closed.map((n) => n.name)).toEqual(["Chat", "Empty", "Top"]);
    const open = buildTree(root, reqs, new Set(["c:chat", "c:chat/admin"]));
    expect(open.map((n) => `${n.level}${n.name}`)).toEqual([
      "1Chat",
      "2Admin",
      "3Kick",
      "2Login",
      "1Empty",
      "1Top",
    ]);
    expect(open.find((n) => n.name === "Kick")?.parentKey).toBe("c:chat/admin");
  });

  it("filters by name or URL, showing the way to each match", () => {
    expect(buildTree(root, reqs, new Set(), "kick").map((n) => n.name)).toEqual([
      "Chat",
      "Admin",
      "Kick",
    ]);
    expect(buildTree(root, reqs, new Set(), "ws://top").map((n) => n.name)).toEqual(["Top"]);
    expect(buildTree(root, reqs, new Set(), "nothing")).toEqual([]);
  });

  it("lists collection paths for the Save dialog", () => {
    expect(collectionPaths(root).map((p) => p.label)).toEqual([
      "(top level)",
      "Chat",
      "Chat / Admin",
      "Empty",
    ]);
  });

  it("places, renames and removes requests in the tree", () => {
    const added = placeRequest(root, "new", "empty/new", ["empty"]);
    expect(added.collections[1]?.requests).toEqual(["empty/new"]);
    const renamed = placeRequest(root, "chat/login", "chat/signin", ["chat"]);
    expect(renamed.collections[0]?.requests).toEqual(["chat/signin"]);
    const removed = placeRequest(root, "top", null, []);
    expect(removed.requests).toEqual([]);
  });

  it("moves a request to another collection, or to the top level, in the tree", () => {
    // wsdeck.requests.move: the id changes with the collection (a free file name there).
    const moved = placeRequest(root, "chat/login", "empty/login", ["empty"]);
    expect(moved.collections[0]?.requests).toEqual([]);
    expect(moved.collections[1]?.requests).toEqual(["empty/login"]);
    const rows = buildTree(
      moved,
      [...reqs, { ...reqs[0]!, id: "empty/login", collection: ["empty"] }],
      new Set(["c:empty"]),
    );
    expect(rows.filter((n) => n.kind === "request").map((n) => n.key)).toContain("r:empty/login");
    const deep = placeRequest(root, "chat/admin/kick", "kick-2", []);
    expect(deep.requests).toEqual(["top", "kick-2"]);
    expect(deep.collections[0]?.collections[0]?.requests).toEqual([]);
  });
});
