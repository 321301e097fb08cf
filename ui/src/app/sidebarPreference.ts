// Whether the sidebar is hidden, remembered in localStorage: a layout choice that holds for
// every browser tab and every later visit (unlike the drafts, which belong to one tab).

const SIDEBAR_KEY = "wsdeck.sidebarHidden";

export function readSidebarHidden(): boolean {
  try {
    return localStorage.getItem(SIDEBAR_KEY) === "1";
  } catch {
    return false;
  }
}

export function rememberSidebarHidden(hidden: boolean): void {
  try {
    localStorage.setItem(SIDEBAR_KEY, hidden ? "1" : "0");
  } catch {
    // Not remembered: fine.
  }
}
