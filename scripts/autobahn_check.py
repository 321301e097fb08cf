#!/usr/bin/env python3
"""Summarise an Autobahn (kosoku) report index and fail on FAILED cases.

Reads DIR/index.json, whose layout (Autobahn's, which kosoku reproduces) is

    { "<agent>": { "<case id>": { "behavior": "OK", "behaviorClose": "OK",
                                  "remoteCloseCode": 1000, "duration": 3,
                                  "reportfile": "<agent>_case_1_1_1.json" } } }

and, for the cases it lists, the per-case DIR/<reportfile> (for the case
description and the server's explanation).

behavior:      OK, NON-STRICT, INFORMATIONAL, UNIMPLEMENTED, FAILED, and
               kosoku's own ERROR (the case crashed or could not be run).
behaviorClose: OK, INFORMATIONAL, WRONG CODE, UNCLEAN, FAILED BY CLIENT, FAILED.

A case counts as FAILED when behavior is FAILED or ERROR, or behaviorClose is
FAILED. With --strict-close, behaviorClose UNCLEAN, WRONG CODE and FAILED BY
CLIENT count too. Exit status: 0 all good; 1 a FAILED case, no case at all
for the agent, or a missing/unreadable index.json.

Usage: autobahn_check.py [--agent wsdeck] [--dir target/autobahn] [--strict-close]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

BEHAVIOR_ORDER = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED", "ERROR"]
CLOSE_ORDER = ["OK", "INFORMATIONAL", "WRONG CODE", "UNCLEAN", "FAILED BY CLIENT", "FAILED"]
FAILED_BEHAVIOR = {"FAILED", "ERROR"}
FAILED_CLOSE = {"FAILED"}
STRICT_FAILED_CLOSE = {"FAILED", "UNCLEAN", "WRONG CODE", "FAILED BY CLIENT"}


def case_key(case_id: str) -> list[int]:
    try:
        return [int(p) for p in case_id.split(".")]
    except ValueError:
        return [sys.maxsize]


def ordered(counter: Counter[str], order: list[str]) -> list[tuple[str, int]]:
    known = [(k, counter[k]) for k in order if counter[k]]
    extra = sorted((k, v) for k, v in counter.items() if k not in order)
    return known + extra


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def failed_free(cases: dict[str, dict], failed: list[str]) -> list[dict]:
    bad = set(failed)
    return [entry for case_id, entry in cases.items() if case_id not in bad]


def main() -> int:
    ap = argparse.ArgumentParser(description="Check an Autobahn/kosoku report index.")
    ap.add_argument("--agent", default="wsdeck", help="agent name in index.json (default: wsdeck)")
    ap.add_argument("--dir", default="target/autobahn", help="report directory holding index.json")
    ap.add_argument(
        "--strict-close",
        action="store_true",
        help="also fail on behaviorClose UNCLEAN / WRONG CODE / FAILED BY CLIENT",
    )
    args = ap.parse_args()

    report_dir = Path(args.dir)
    index_path = report_dir / "index.json"
    try:
        index = json.loads(index_path.read_text())
    except FileNotFoundError:
        print(f"autobahn_check: {index_path} not found: did the fuzzingserver write its reports?")
        return 1
    except (OSError, json.JSONDecodeError) as exc:
        print(f"autobahn_check: cannot read {index_path}: {exc}")
        return 1
    if not isinstance(index, dict):
        print(f"autobahn_check: {index_path}: expected a JSON object of agents")
        return 1

    cases = index.get(args.agent) or {}
    if not cases:
        agents = ", ".join(sorted(index)) or "none"
        print(f"autobahn_check: no cases were run for agent {args.agent!r} (agents in {index_path}: {agents})")
        return 1

    behaviors = Counter(str(c.get("behavior")) for c in cases.values())
    closes = Counter(str(c.get("behaviorClose")) for c in cases.values())
    failed_close = STRICT_FAILED_CLOSE if args.strict_close else FAILED_CLOSE

    print(f"Autobahn results for agent {args.agent!r}: {len(cases)} cases ({index_path})")
    print("  behavior:")
    for name, n in ordered(behaviors, BEHAVIOR_ORDER):
        print(f"    {name:<18} {n:>5}")
    print("  behaviorClose:")
    for name, n in ordered(closes, CLOSE_ORDER):
        print(f"    {name:<18} {n:>5}")

    failed = []
    notable: dict[str, list[str]] = {}
    for case_id in sorted(cases, key=case_key):
        entry = cases[case_id]
        beh, close = entry.get("behavior"), entry.get("behaviorClose")
        if beh in FAILED_BEHAVIOR or close in failed_close:
            failed.append(case_id)
        else:
            for label in (beh, close):
                if label not in ("OK", "INFORMATIONAL", "UNIMPLEMENTED"):
                    notable.setdefault(str(label), []).append(case_id)

    for label, ids in sorted(notable.items()):
        shown = ", ".join(ids[:40]) + (f", ... ({len(ids)} in all)" if len(ids) > 40 else "")
        print(f"  {label} (not failing): {shown}")

    if failed:
        print(f"FAILED cases ({len(failed)}):")
        for case_id in failed:
            entry = cases[case_id]
            detail: dict = {}
            report = entry.get("reportfile")
            if report:
                try:
                    detail = json.loads((report_dir / report).read_text())
                except (OSError, json.JSONDecodeError):
                    detail = {}
            print(
                f"  {case_id}: behavior={entry.get('behavior')} behaviorClose={entry.get('behaviorClose')}"
                f" remoteCloseCode={entry.get('remoteCloseCode')}"
            )
            print(f"      description: {one_line(detail.get('description', '(no report file)'))}")
            if detail.get("expectation"):
                print(f"      expectation: {one_line(detail['expectation'])}")
            if detail.get("result"):
                print(f"      result:      {one_line(detail['result'])}")
            if detail.get("resultClose"):
                print(f"      resultClose: {one_line(detail['resultClose'])}")
    # Closing summary line in the plain "N passed, N failed, N skipped" form;
    # UNIMPLEMENTED (e.g. 12.x/13.x without permessage-deflate) counts as skipped.
    skipped = sum(1 for c in failed_free(cases, failed) if c.get("behavior") == "UNIMPLEMENTED")
    passed = len(cases) - len(failed) - skipped
    print(f"autobahn: {passed} passed, {len(failed)} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
