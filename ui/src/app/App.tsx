import type { Rpc } from "../rpc";

export function App({ rpc }: { rpc: Rpc }) {
  return <main>wsdeck {rpc.status.value}</main>;
}
