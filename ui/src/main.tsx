import { render } from "preact";
import { App } from "./app/App";
import { connectRpc, gatewayUrl, takeToken } from "./rpc";
import "./styles.css";

const rpc = connectRpc(gatewayUrl(takeToken()));
const root = document.getElementById("app");
if (root) render(<App rpc={rpc} />, root);
