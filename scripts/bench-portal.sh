#!/usr/bin/env bash
# The portal under load: `onus serve` (release) on a seeded database of
# 1,000 tenants x 100 checklist items, driven by the load generator `oha`,
# on SQLite and on PostgreSQL. For each database:
#
#   (a) the checklist page, GET /t/TENANT/checklist (a session cookie),
#   (b) the checklist API, GET /api/v1/tenants/TENANT/items (a bearer token),
#       each at RATE requests/s for DURATION s, spread over every tenant;
#   (c) the highest rate of STEPS (reads, half page, half API) whose p99
#       stays under P99_MS with no error;
#   (d) a mixed load at RATE: 90% reads (oha, half page, half API) and 10%
#       writes (PATCH of an item with If-Match, by `seed_portal write`,
#       since oha cannot give each request its own If-Match), at once.
#
# Every figure: requests, achieved rate, p50, p99, errors (4xx, 5xx or
# failed), the server's CPU (cores busy) and the load average at the end.
# The target: p99 < 25 ms with no error at 500 requests/s (oha shares the
# machine with the server and the database).
#
#   scripts/bench-portal.sh                      # both databases, 60 s per run
#   DURATION=10 DATABASES=sqlite scripts/bench-portal.sh
#   TENANTS=100 STEPS="500 1000" scripts/bench-portal.sh
#
# Environment:
#   DATABASES="sqlite postgres"   which databases
#   DURATION=60       seconds of each run of (a), (b), (d)
#   STEP_DURATION=20  seconds of each step of (c)
#   RATE=500          requests/s of (a), (b), (d)
#   STEPS="100 250 500 750 1000 1500 2000"   the rates tried in (c), in order
#   P99_MS=25         the latency target
#   TENANTS=1000      tenants seeded (100 items each)
#   CONNECTIONS=64    oha's connections
#   PG_URL=postgres://postgres@127.0.0.1:5432   PostgreSQL (user postgres);
#                     the script creates (drops first) database onus_bench_portal
#   PORT=18080        where `onus serve` listens (127.0.0.1)
#   PROFILE=release   the cargo profile of the binaries (`profiling`: the
#                     same code with symbols, for perf; target/PROFILE/)
#
# Needs cargo, curl, jq, and for PostgreSQL psql and a server at PG_URL.
# Installs oha from crates.io into target/tools when missing. Never run by
# CI. Results and how they were taken: docs/benchmarks.md, "Portal under load".
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
databases="${DATABASES:-sqlite postgres}"
duration="${DURATION:-60}"
step_duration="${STEP_DURATION:-20}"
rate="${RATE:-500}"
steps="${STEPS:-100 250 500 750 1000 1500 2000}"
p99_ms="${P99_MS:-25}"
tenants="${TENANTS:-1000}"
connections="${CONNECTIONS:-64}"
pg_url="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
pg_db=onus_bench_portal
port="${PORT:-18080}"
base="http://127.0.0.1:$port"
work="$target/bench-portal"
profile="${PROFILE:-release}"
onus="$target/$profile/onus"
seed="$target/$profile/examples/seed_portal"
oha="$target/tools/bin/oha"

die() {
    echo "bench-portal: $*" >&2
    exit 2
}

command -v cargo >/dev/null || die "cargo is missing: install Rust (https://rustup.rs)"
command -v curl >/dev/null || die "curl is missing: apt-get install -y curl"
command -v jq >/dev/null || die "jq is missing: apt-get install -y jq"
for db in $databases; do
    case $db in
    sqlite) ;;
    postgres)
        command -v psql >/dev/null || die "psql is missing (apt-get install -y postgresql-client), or run DATABASES=sqlite"
        psql "$pg_url/postgres" -qAtc 'SELECT 1' >/dev/null 2>&1 ||
            die "PostgreSQL does not answer at $pg_url (user postgres); start it, set PG_URL, or run DATABASES=sqlite"
        ;;
    *) die "unknown database '$db' in DATABASES (sqlite, postgres)" ;;
    esac
done

echo "== machine"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
echo "memory:  $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
echo "kernel:  $(uname -sr)"
echo "rustc:   $(rustc --version)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
case " $databases " in
*" postgres "*) echo "postgres: $(psql "$pg_url/postgres" -qAtc 'SHOW server_version')" ;;
esac

# --- the binaries: onus (release) and the seeding program, in one build ----------
(cd "$root" && cargo build --profile "$profile" -q -p onus-cli -p onus-server --bins --example seed_portal)
if [ ! -x "$oha" ]; then
    echo
    echo "== installing oha into $target/tools (a few minutes)"
    mkdir -p "$target/tools"
    cargo install oha --locked --root "$target/tools" >"$target/tools/oha-install.log" 2>&1 ||
        {
            tail -5 "$target/tools/oha-install.log" >&2
            die "cannot install oha (see $target/tools/oha-install.log)"
        }
fi
echo "oha:     $("$oha" --version)"

server_pid=""
writer_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
cleanup() {
    if [ -n "$writer_pid" ]; then
        kill "$writer_pid" 2>/dev/null || true
    fi
    stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU seconds (user + system) the server has used so far.
server_cpu() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$server_pid/stat"
}

# oha_run LABEL RATE SECONDS URLS [oha args...]: one oha run; prints one line
# and leaves the JSON in $work/last.json. Exit status 1 when the p99 target
# is missed, an error happened, or the rate was not reached.
oha_run() {
    local label=$1 q=$2 secs=$3 urls=$4
    shift 4
    local cpu0 cpu1
    cpu0=$(server_cpu)
    "$oha" --no-tui --output-format json -z "${secs}s" -w -t 10s -q "$q" --latency-correction \
        -c "$connections" --urls-from-file "$urls" "$@" >"$work/last.json"
    cpu1=$(server_cpu)
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    jq -r '
        (.statusCodeDistribution // {}) as $codes
        | ([$codes | to_entries[] | select((.key | tonumber) >= 400) | .value] | add // 0) as $bad
        | ([(.errorDistribution // {}) | to_entries[] | .value] | add // 0) as $failed
        | [([$codes | to_entries[] | .value] | add // 0) + $failed, .summary.requestsPerSec,
           .metrics.latency_ms.p50, .metrics.latency_ms.p99, $bad + $failed] | @tsv
    ' "$work/last.json" |
        awk -F'\t' -v label="$label" -v q="$q" -v target="$p99_ms" -v cpu0="$cpu0" -v cpu1="$cpu1" -v secs="$secs" -v loadavg="$load" '{
            ok = ($4 < target && $5 == 0 && $2 >= 0.95 * q) ? "ok" : "MISSED"
            printf "%-34s %7d req %6.0f/s  p50 %6.2f ms  p99 %7.2f ms  errors %d  server cpu %.2f cores  load %s  %s\n",
                label, $1, $2, $3, $4, $5, (cpu1 - cpu0) / secs, loadavg, ok
        }' | tee "$work/last.line"
    [ -s "$work/last.line" ] || die "cannot read oha's result in $work/last.json"
    grep -q ' ok$' "$work/last.line"
}

mkdir -p "$work"
summary="$work/summary.txt"
: >"$summary"
for db in $databases; do
    echo
    echo "=================== $db"
    stop_server
    case $db in
    sqlite)
        rm -f "$work/portal.db" "$work/portal.db-wal" "$work/portal.db-shm"
        url="$work/portal.db"
        ;;
    postgres)
        psql "$pg_url/postgres" -qc "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null
        url="$pg_url/$pg_db"
        ;;
    esac
    out="$work/$db"
    rm -rf "$out" "$work/models"
    echo "== seeding $tenants tenants (seed_portal seed)"
    "$seed" seed "$url" "$work/models" "$out" "$tenants"
    if [ "$db" = sqlite ]; then
        echo "database: $(du -sh "$work/portal.db" | cut -f1) (SQLite file)"
    else
        # After a bulk load, as autovacuum would (it may be off on a test
        # server: then the seeded rows' dead versions and missing
        # statistics would be measured, not the portal).
        echo "autovacuum: $(psql "$pg_url/$pg_db" -qAtc 'SHOW autovacuum'); VACUUM ANALYZE after seeding"
        psql "$pg_url/$pg_db" -qc 'VACUUM ANALYZE' >/dev/null
        echo "database: $(psql "$pg_url/$pg_db" -qAtc "SELECT pg_size_pretty(pg_database_size('$pg_db'))")"
    fi

    "$onus" serve --db "$url" --models "$work/models" --listen "127.0.0.1:$port" >"$work/serve-$db.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null "$base/" && break
        kill -0 "$server_pid" 2>/dev/null || {
            tail -5 "$work/serve-$db.log" >&2
            die "onus serve stopped (see $work/serve-$db.log)"
        }
        sleep 0.2
    done
    curl -sf -o /dev/null "$base/" || die "onus serve does not answer on $base (see $work/serve-$db.log)"

    cookie="Cookie: onus_session=$(cat "$out/cookie")"
    bearer="Authorization: Bearer $(cat "$out/token")"
    sed "s|^|$base/t/|; s|\$|/checklist|" "$out/tenants" >"$work/pages.txt"
    sed "s|^|$base/api/v1/tenants/|; s|\$|/items|" "$out/tenants" >"$work/api.txt"
    cat "$work/pages.txt" "$work/api.txt" >"$work/reads.txt"
    # A request of each kind answers 200 before any timing.
    first=$(head -1 "$out/tenants")
    for check in "/t/$first/checklist|$cookie" "/api/v1/tenants/$first/items|$bearer"; do
        code=$(curl -s -o "$work/check.out" -w '%{http_code}' -H "${check#*|}" "$base${check%%|*}")
        [ "$code" = 200 ] || die "GET ${check%%|*} answered $code, not 200: $(head -c 300 "$work/check.out")"
    done
    items=$(jq length "$work/check.out")
    echo "items of a tenant through the API: $items"
    echo "== warm-up: every tenant's page and items once"
    "$oha" --no-tui -n "$(wc -l <"$work/reads.txt")" -q 200 -c 16 --urls-from-file "$work/reads.txt" \
        -H "$cookie" -H "$bearer" >/dev/null

    echo "== (a), (b): $rate requests/s for $duration s, over $(wc -l <"$out/tenants") tenants"
    { oha_run "$db (a) checklist page" "$rate" "$duration" "$work/pages.txt" -H "$cookie" || true; } | tee -a "$summary"
    { oha_run "$db (b) API items" "$rate" "$duration" "$work/api.txt" -H "$bearer" || true; } | tee -a "$summary"

    echo "== (c): the highest rate with p99 < $p99_ms ms and no error ($step_duration s a step; reads, half page, half API)"
    best=""
    for q in $steps; do
        if oha_run "$db (c) reads at $q/s" "$q" "$step_duration" "$work/reads.txt" -H "$cookie" -H "$bearer" | tee -a "$summary"; then
            best=$q
        else
            break
        fi
    done
    echo "$db (c) highest rate meeting the target: ${best:-none of $steps} requests/s" | tee -a "$summary"

    reads=$((rate * 9 / 10))
    writes=$((rate - reads))
    echo "== (d): $rate requests/s for $duration s: $reads reads/s (oha) and $writes writes/s (seed_portal write) at once"
    [ "$(wc -l <"$out/targets")" -ge $((writes * duration)) ] ||
        die "$(wc -l <"$out/targets") write targets for $((writes * duration)) writes: seed more TENANTS or shorten DURATION"
    "$seed" write "$base" "$(cat "$out/token")" "$out/targets" "$writes" "$duration" >"$work/writes.txt" 2>&1 &
    writer_pid=$!
    { oha_run "$db (d) reads beside writes" "$reads" "$duration" "$work/reads.txt" -H "$cookie" -H "$bearer" || true; } | tee -a "$summary"
    wait "$writer_pid" || { cat "$work/writes.txt" >&2; die "the writes failed"; }
    writer_pid=""
    sed "s/^/$db (d) /" "$work/writes.txt" | tee -a "$summary"
    stop_server
done

echo
echo "== summary (target: p99 < $p99_ms ms, no error; ok or MISSED)"
cat "$summary"
