import { describe, expect, it } from "vitest";
import { RateCounter } from "./rate";

describe("RateCounter", () => {
  it("sums the last second and falls to zero when traffic stops", () => {
    const r = new RateCounter(1000);
    r.add(100, 2000, 0);
    r.add(50, 1000, 100);
    r.add(50, 1000, 120); // same 50 ms bucket
    expect(r.rate(500)).toEqual({ messages: 200, bytes: 4000 });
    expect(r.rate(1050)).toEqual({ messages: 100, bytes: 2000 });
    expect(r.rate(2500)).toEqual({ messages: 0, bytes: 0 });
  });
  it("scales other windows to per second", () => {
    const r = new RateCounter(500);
    r.add(10, 10, 0);
    expect(r.rate(100)).toEqual({ messages: 20, bytes: 20 });
  });
});
