#!/usr/bin/env bash
# The whole-process benchmark of the core: `onus check` and `onus matrix` on a
# synthetic chain (default 2,000 areas x 20 offerings x 5 models), wall time
# and peak RSS, then the in-process table of `cargo bench -p onus-core`.
#
#   scripts/bench-core.sh               # 2000x20x5, 11 runs per command
#   SIZE=4000x20x5 RUNS=5 scripts/bench-core.sh
#   SKIP_CARGO_BENCH=1 scripts/bench-core.sh   # only the process figures
#
# Needs GNU time (`apt-get install -y time`) for the peak RSS.
# Results and how to read them: docs/benchmarks.md, "Core: check and resolve".
set -euo pipefail

cd "$(dirname "$0")/.."
size=${SIZE:-2000x20x5}
runs=${RUNS:-11}
target=${CARGO_TARGET_DIR:-target}
onus="$target/profiling/onus"   # the `profiling` profile: release with line tables
gnu_time=/usr/bin/time
if ! "$gnu_time" -f %M true >/dev/null 2>&1; then
    echo "GNU time is missing at $gnu_time: apt-get install -y time" >&2
    exit 2
fi

echo "== machine"
echo "cpus: $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

cargo build --profile profiling -q -p onus-cli
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ONUS_BENCH_WRITE="$dir" ONUS_BENCH_SIZE="$size" \
    cargo bench --profile profiling -q -p onus-core --bench check_resolve 2>&1 | grep -v '^$' || true
root="$dir/model-0.onus.yaml"
echo "files: $(ls "$dir" | wc -l), $(cat "$dir"/* | wc -c) bytes"
echo

# measure LABEL COMMAND...: median and min wall time of $runs runs (ms), max RSS (MB).
measure() {
    local label=$1
    shift
    "$@" >/dev/null 2>&1 # warm the page cache
    local walls=() rss=0
    for _ in $(seq "$runs"); do
        local start end kb
        start=$(date +%s%N)
        kb=$("$gnu_time" -f %M "$@" 2>&1 >/dev/null | tail -1)
        end=$(date +%s%N)
        walls+=($(((end - start) / 1000)))
        ((kb > rss)) && rss=$kb
    done
    local sorted
    sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
    local median min
    median=$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p")
    min=$(echo "$sorted" | head -1)
    awk -v l="$label" -v med="$median" -v min="$min" -v rss="$rss" 'BEGIN {
        printf "%-44s median %8.1f ms   min %8.1f ms   max RSS %6.1f MB\n", l, med / 1000, min / 1000, rss / 1024
    }'
}

echo "== whole process, $size, $runs runs each"
measure "floor: onus --version" "$onus" --version
measure "floor: cat the model files" cat "$dir"/*.onus.yaml
measure "onus check ROOT" "$onus" check "$root"
measure "onus matrix ROOT --format json >/dev/null" "$onus" matrix "$root" --format json
measure "onus check examples/ (5 real models)" "$onus" check examples
echo

if [[ -z ${SKIP_CARGO_BENCH:-} ]]; then
    echo "== in process (cargo bench --profile profiling -p onus-core --bench check_resolve)"
    cargo bench --profile profiling -q -p onus-core --bench check_resolve 2>&1 | grep -v '^$'
fi
