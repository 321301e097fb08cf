export { MessagesPane } from "./MessagesPane";
export { ConsolePanel } from "./ConsolePanel";
export { ConnectionBadge } from "./ConnectionBadge";
