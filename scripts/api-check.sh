#!/usr/bin/env bash
# Runs schemathesis against a live `braid master` on 127.0.0.1 (random port, temporary data dir):
# no 5xx and no response that violates Sources/API/openapi.yaml. The master is stopped by its PID.
set -euo pipefail
cd "$(dirname "$0")/.."
BRAID=${BRAID:-.build/debug/braid}
EXAMPLES=${EXAMPLES:-25}
python3 -m pip show schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis
DIR=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BRAID" master --data-dir "$DIR" --listen "127.0.0.1:$PORT" --rate-limit 100000 --rate-burst 100000 --max-watch-timeout 2s > "$DIR/master.log" 2>&1 &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
echo "master pid $PID on 127.0.0.1:$PORT"
python3 -m schemathesis.cli run "http://127.0.0.1:$PORT/api/v1/openapi.yaml" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "$EXAMPLES" --seed 20261122 --wait-for-schema 60 --phases examples,coverage,fuzzing \
  --suppress-health-check all
