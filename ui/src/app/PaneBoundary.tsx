// One pane that fails to render says so in its own place, with a way to try again, instead of
// taking the whole workbench with it (an uncaught render error unmounts the whole tree).

import { Component, type ComponentChildren } from "preact";

interface Props {
  /** The pane as people call it ("messages pane"), for the sentence it shows. */
  name: string;
  children: ComponentChildren;
}

interface State {
  error: string;
}

export class PaneBoundary extends Component<Props, State> {
  override state: State = { error: "" };

  static override getDerivedStateFromError(e: unknown): State {
    return { error: e instanceof Error ? e.message : String(e) };
  }

  override componentDidCatch(e: unknown): void {
    // For whoever opens the browser console to report it.
    console.error(`wsdeck: the ${this.props.name} failed`, e);
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" class="banner banner-error pane-failed">
        The {this.props.name} stopped working because of a fault in wsdeck ({this.state.error}). The
        rest of the workbench still works.{" "}
        <button type="button" onClick={() => this.setState({ error: "" })}>
          Show it again
        </button>
      </div>
    );
  }
}
