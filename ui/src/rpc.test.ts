import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES, gatewayUrl, reconnectDelay, requestTooLarge, takeToken } from "./rpc";

function fakeLocation(href: string): Location {
  const u = new URL(href);
  return {
    hash: u.hash,
    host: u.host,
    pathname: u.pathname,
    search: u.search,
    protocol: u.protocol,
  } as Location;
}

describe("takeToken", () => {
  it("takes the token from the fragment, keeps it for reloads and hides it", () => {
    sessionStorage.clear();
    history.replaceState(null, "", "/#token=abc&url=ws%3A%2F%2F127.0.0.1%3A9%2F");
    const token = takeToken(fakeLocation("http://127.0.0.1:5/#token=abc&url=x"), sessionStorage);
    expect(token).toBe("abc");
    expect(sessionStorage.getItem("wsdeck.token")).toBe("abc");
    expect(location.hash).toBe("#url=x");
    // A reload has no token in the address: the kept one is used.
    expect(takeToken(fakeLocation("http://127.0.0.1:5/"), sessionStorage)).toBe("abc");
  });

  it("is empty when the page never had a token", () => {
    sessionStorage.clear();
    expect(takeToken(fakeLocation("http://127.0.0.1:5/"), sessionStorage)).toBe("");
  });
});

describe("reconnectDelay", () => {
  it("doubles from 250 ms and stays at 5 s", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelay)).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });
});

describe("gatewayUrl", () => {
  it("is the page's own host with the token escaped", () => {
    expect(gatewayUrl("a+b/c", fakeLocation("http://127.0.0.1:8799/"))).toBe(
      "ws://127.0.0.1:8799/rpc?token=a%2Bb%2Fc",
    );
  });
});

describe("requestTooLarge", () => {
  it("lets requests up to the limit through and names the size of a bigger one", () => {
    expect(requestTooLarge("x".repeat(1000))).toBe("");
    expect(requestTooLarge("x".repeat(MAX_REQUEST_BYTES))).toBe("");
    const why = requestTooLarge("x".repeat(MAX_REQUEST_BYTES + 1));
    expect(why).toMatch(/^Not sent: this is 128\.0 MiB .* at most 128\.0 MiB/);
    expect(why).toContain("wsdeck connect");
  });
  it("counts UTF-8 bytes, not characters", () => {
    // 50 Mi characters of 3 bytes each: 150 MiB.
    expect(requestTooLarge("€".repeat(50 * 1024 * 1024))).toMatch(/150\.0 MiB/);
  });
});
