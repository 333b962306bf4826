#!/usr/bin/env bash
# Fuzz the running API with schemathesis against its own OpenAPI document, as four roles on both
# stores; any failure (5xx, a response outside its schema, bad input accepted) fails the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
EXAMPLES=${FUZZ_EXAMPLES:-5}
work=$(mktemp -d)
server=""
worker=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ -n "$worker" ] && kill "$worker" 2>/dev/null && wait "$worker" 2>/dev/null || true
    [ -n "${pgdb:-}" ] && psql -q -h 127.0.0.1 -U root -d postgres -c "DROP DATABASE IF EXISTS $pgdb WITH (FORCE)" || true
    rm -rf "$work"
}
trap cleanup EXIT

fuzz() {  # store-url role include-tag-regex
    local url=$1 role=$2 tags=$3 port
    export CASELEDGER_DATABASE_URL=$url CASELEDGER_FAILED_AUTH_PER_MINUTE=1000000 CASELEDGER_SIGN_IN_FAILURES_PER_ADDRESS=1000000
    "$BIN/caseledger" db init >/dev/null
    if [ "$role" = admin ]; then  # administrators sign in; no API token acts as one
        token=$("$BIN/python" tests/fuzz/admin_session.py "fuzz-$role")
    else
        "$BIN/caseledger" users add "fuzz-$role" --role "$role" --unit 城管执法中队 >/dev/null
        token=$("$BIN/caseledger" tokens issue "fuzz-$role" 2>/dev/null)
    fi
    port=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$BIN/caseledger" serve --port "$port" --workers 2 --threads 4 >"$work/serve-$role.log" 2>&1 &
    server=$!
    if [ "${url%%:*}" = postgresql ]; then  # production layout: projections run as their own process
        "$BIN/caseledger" projections run >"$work/projections-$role.log" 2>&1 &
        worker=$!
    fi
    if ! "$BIN/schemathesis" --config-file tests/fuzz/schemathesis.toml --no-color run "http://127.0.0.1:$port/api/openapi.json" \
        --wait-for-schema 30 -H "Authorization: Bearer $token" --checks all --max-examples "$EXAMPLES" \
        --include-tag-regex "$tags" --workers 1 --seed 20261128 >"$work/fuzz-$role.log" 2>&1; then
        sed -n '/^=* FAILURES/,$p' "$work/fuzz-$role.log" | grep -v "^  - " | head -n 150
        echo "schemathesis found problems as $role on ${url%%:*}" >&2
        exit 1
    fi
    echo "schemathesis as $role on ${url%%:*}: $(grep -E 'generated, .* passed' "$work/fuzz-$role.log" | tr -s ' ')"
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
    if [ -n "$worker" ]; then kill "$worker"; wait "$worker" 2>/dev/null || true; worker=""; fi
}

fuzz "sqlite:///$work/fuzz.sqlite3" clerk '.*'
pgdb="caseledger_fuzz_$$"
psql -q -h 127.0.0.1 -U root -d postgres -c "CREATE DATABASE $pgdb"
fuzz "postgresql://root@127.0.0.1:5432/$pgdb" supervisor '.*'
fuzz "sqlite:///$work/fuzz.sqlite3" discipline 'rulings|Clearings|Tolerated'
fuzz "sqlite:///$work/fuzz.sqlite3" admin 'Registers'
