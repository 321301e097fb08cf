#!/usr/bin/env bash
# Autobahn conformance run for wsdeck's WebSocket client, on loopback only.
#
#   1. starts the kosoku fuzzingserver on a free 127.0.0.1 port (it binds
#      port 0 and we read the real port from its "listening on" line),
#      reports into target/autobahn (wiped first), all cases unless --case;
#   2. runs  "$WSDECK" autobahn ws://127.0.0.1:PORT --agent wsdeck
#      (or, with --python-client, scripts/autobahn_python_client.py);
#   3. waits for kosoku to write its reports and exit (it stops by itself
#      after the client's /updateReports), killing it after a grace period;
#   4. runs scripts/autobahn_check.py on the report index.
#
# Usage: scripts/autobahn.sh [--python-client] [--case GLOB]... [--exclude GLOB]...
# Env:
#   WSDECK            client binary (default target/release/wsdeck)
#   WSDECK_PYTHON     python with kosoku + websockets (default .venv/bin/python)
#   KOSOKU            kosoku entry point (default: next to WSDECK_PYTHON)
#   AUTOBAHN_OUT      report directory (default target/autobahn)
#   AUTOBAHN_AGENT    agent name (default wsdeck, python-websockets with --python-client)
#   AUTOBAHN_TIMEOUT  seconds allowed for the client's whole run (default 1800)
#   AUTOBAHN_CHECK_ARGS  extra arguments for autobahn_check.py (e.g. --strict-close)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

WSDECK="${WSDECK:-target/release/wsdeck}"
PY="${WSDECK_PYTHON:-$ROOT/.venv/bin/python}"
KOSOKU="${KOSOKU:-$(dirname "$PY")/kosoku}"
OUT="${AUTOBAHN_OUT:-target/autobahn}"
TIMEOUT="${AUTOBAHN_TIMEOUT:-1800}"
CLIENT=wsdeck
CASE_ARGS=()

while [[ $# -gt 0 ]]; do
  case "$1" in
    --python-client) CLIENT=python ;;
    --case) CASE_ARGS+=(-i "$2"); shift ;;
    --exclude) CASE_ARGS+=(-x "$2"); shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "autobahn.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#CASE_ARGS[@]} -eq 0 ]] && CASE_ARGS=(-i '*')
if [[ "$CLIENT" == python ]]; then
  AGENT="${AUTOBAHN_AGENT:-python-websockets}"
else
  AGENT="${AUTOBAHN_AGENT:-wsdeck}"
fi

die() { echo "autobahn.sh: $*" >&2; exit 1; }
[[ -x "$KOSOKU" ]] || die "kosoku not found at $KOSOKU (run scripts/test once, or set KOSOKU)"
[[ -x "$PY" ]] || die "python not found at $PY (set WSDECK_PYTHON)"
if [[ "$CLIENT" == wsdeck ]]; then
  [[ -x "$WSDECK" ]] || die "wsdeck binary not found at $WSDECK (cargo build --release, or set WSDECK)"
fi

rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
LOG="$OUT.kosoku.log"
: >"$LOG"

KPID=""
cleanup() {
  if [[ -n "$KPID" ]] && kill -0 "$KPID" 2>/dev/null; then
    kill -TERM "$KPID" 2>/dev/null || true
    sleep 1
    kill -KILL "$KPID" 2>/dev/null || true
  fi
}
trap cleanup EXIT

PYTHONUNBUFFERED=1 "$KOSOKU" -m fuzzingserver 127.0.0.1:0 -o "$OUT" "${CASE_ARGS[@]}" >>"$LOG" 2>&1 &
KPID=$!

PORT=""
for _ in $(seq 1 300); do
  PORT="$(sed -n 's#.*fuzzingserver listening on ws://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$LOG" | head -n1)"
  [[ -n "$PORT" ]] && break
  kill -0 "$KPID" 2>/dev/null || { cat "$LOG" >&2; die "kosoku exited before listening"; }
  sleep 0.1
done
[[ -n "$PORT" ]] || { cat "$LOG" >&2; die "kosoku did not start listening within 30 s"; }
URL="ws://127.0.0.1:$PORT"
echo "autobahn.sh: kosoku fuzzingserver (pid $KPID) on $URL, reports in $OUT, cases: ${CASE_ARGS[*]}"

START=$SECONDS
set +e
if [[ "$CLIENT" == python ]]; then
  timeout --kill-after=10 "$TIMEOUT" "$PY" scripts/autobahn_python_client.py "$URL" --agent "$AGENT"
else
  timeout --kill-after=10 "$TIMEOUT" "$WSDECK" autobahn "$URL" --agent "$AGENT"
fi
CLIENT_RC=$?
set -e
echo "autobahn.sh: client ($CLIENT) exited with $CLIENT_RC after $((SECONDS - START)) s"

# kosoku stops on /updateReports, drains its connections, writes the reports
# and exits (status 1 when any case is not a pass, e.g. UNIMPLEMENTED: the
# checker below is the judge, not that status).
for _ in $(seq 1 1200); do
  kill -0 "$KPID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$KPID" 2>/dev/null; then
  echo "autobahn.sh: kosoku still running 120 s after the client finished; stopping it (reports may be missing)" >&2
  cleanup
fi
KOSOKU_RC=0
wait "$KPID" 2>/dev/null || KOSOKU_RC=$?
KPID=""
echo "autobahn.sh: kosoku exited with $KOSOKU_RC after $((SECONDS - START)) s; log: $LOG"
grep -E '^(wrote reports|[0-9]+ cases passed)' "$LOG" || true

CHECK_RC=0
# shellcheck disable=SC2086
"$PY" scripts/autobahn_check.py --agent "$AGENT" --dir "$OUT" ${AUTOBAHN_CHECK_ARGS:-} || CHECK_RC=$?

if [[ $CLIENT_RC -ne 0 ]]; then
  die "the client exited with status $CLIENT_RC"
fi
exit "$CHECK_RC"
