import { describe, expect, it } from "vitest";
import { RpcError } from "../rpc";
import { DEFAULT_SETTINGS, MIB } from "../request/settings";
import type { WsCollection, WsRequest } from "../types";
import {
  buildTree,
  bytesToMib,
  collectionPaths,
  composerFormat,
  fieldsFromRequest,
  fingerprint,
  isUnsaved,
  mibTextToBytes,
  moveItem,
  renameMessage,
  requestFromFields,
  savedFormat,
  settingsFromWire,
  settingsToWire,
  workspaceError,
} from "./convert";
import { placeRequest } from "./store";

const login: WsRequest = {
  id: "chat/login",
  collection: ["chat"],
  name: "Login",
  description: "",
  url: "ws://h/chat?room=1",
  protocols: ["chat.v1"],
  params: [{ key: "room", value: "1", enabled: true }],
  headers: [
    { name: "X-A", value: "1", enabled: true },
    { name: "X-B", value: "2", enabled: false },
  ],
  settings: { maxMessageSize: 2 * MIB, tlsVerify: false, reconnectAttempts: 3 },
  messages: [{ name: "hi", format: "json", body: "{}" }],
  revision: "r1",
};

describe("request ⇄ tab state", () => {
  it("round-trips params, headers, protocols, settings and messages", () => {
    const f = fieldsFromRequest(login);
    expect(f.headers[1]).toEqual({ key: "X-B", value: "2", enabled: false });
    expect(f.settings.maxMessageSizeMb).toBe("2");
    expect(f.settings.verifyTls).toBe(false);
    expect(f.settings.reconnectAttempts).toBe("3");
    expect(f.settings.handshakeTimeoutMs).toBe(DEFAULT_SETTINGS.handshakeTimeoutMs);
    const back = requestFromFields(f, login);
    expect(back).toEqual(login);
  });

  it("saves only settings that differ from the defaults, and valid ones", () => {
    expect(settingsToWire(DEFAULT_SETTINGS)).toEqual({});
    expect(
      settingsToWire({ ...DEFAULT_SETTINGS, maxMessageSizeMb: "0.5", reconnectAttempts: "x" }),
    ).toEqual({ maxMessageSize: MIB / 2 });
    expect(settingsFromWire({})).toEqual(DEFAULT_SETTINGS);
  });

  it("saves 0 (no handshake deadline, no size limit) and reads it back", () => {
    const none = { ...DEFAULT_SETTINGS, handshakeTimeoutMs: "0", maxMessageSizeMb: "0" };
    expect(settingsToWire(none)).toEqual({ handshakeTimeoutMs: 0, maxMessageSize: 0 });
    expect(settingsFromWire({ handshakeTimeoutMs: 0, maxMessageSize: 0 })).toEqual(none);
  });

  it("converts MiB and bytes", () => {
    expect(bytesToMib(64 * MIB)).toBe("64");
    expect(bytesToMib(1536 * 1024)).toBe("1.5");
    expect(mibTextToBytes("1.5")).toBe(1536 * 1024);
    expect(mibTextToBytes("")).toBeNull();
    expect(mibTextToBytes("-1")).toBeNull();
    // 0 is no limit, and is kept as such; a small limit never reads back as 0.
    expect(mibTextToBytes("0")).toBe(0);
    expect(bytesToMib(0)).toBe("0");
    expect(bytesToMib(100)).not.toBe("0");
    expect(mibTextToBytes(bytesToMib(100))).toBe(100);
    expect(mibTextToBytes(bytesToMib(1000))).toBe(1000);
    expect(bytesToMib(1049)).toBe("0.001");
  });

  it("drops empty rows and trims protocols when saving", () => {
    const f = fieldsFromRequest(login);
    f.headers = [...f.headers, { key: "", value: "", enabled: true }];
    f.protocols = [" a ", ""];
    const r = requestFromFields(f, { ...login, id: undefined });
    expect(r.headers).toHaveLength(2);
    expect(r.protocols).toEqual(["a"]);
    expect("id" in r).toBe(false);
  });

  it("maps message formats", () => {
    expect(composerFormat("binary-hex")).toEqual({ format: "binary", encoding: "hex" });
    expect(composerFormat("json")).toEqual({ format: "json" });
    expect(savedFormat("binary", "base64")).toBe("binary-base64");
    expect(savedFormat("xml", "hex")).toBe("xml");
  });
});

describe("unsaved detection", () => {
  it("compares what a save would write", () => {
    const f = fieldsFromRequest(login);
    const base = fingerprint(f);
    expect(isUnsaved(f, base)).toBe(false);
    expect(isUnsaved({ ...f, url: "ws://other" }, base)).toBe(true);
    // An empty row added (not saved anyway) is not a change.
    expect(
      isUnsaved({ ...f, params: [...f.params, { key: "", value: "", enabled: true }] }, base),
    ).toBe(false);
    expect(isUnsaved({ ...f, settings: { ...f.settings, autoPong: false } }, base)).toBe(true);
    expect(isUnsaved(f, null)).toBe(false);
  });
});

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
