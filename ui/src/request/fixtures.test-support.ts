// A saved request the request and sidebar tests share.

import type { WsRequest } from "../types";
import { MIB } from "./units";

export const login: WsRequest = {
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
  settings: { maxMessageSize: 2 * MIB, tls: { verify: false }, reconnectAttempts: 3 },
  messages: [{ name: "hi", format: "json", body: "{}" }],
  revision: "r1",
};
