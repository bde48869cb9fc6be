#!/usr/bin/env bash
# The hostile shapes of issue 15: inputs that were quadratic (or worse)
# once, run through the release binary, wall time and peak RSS of each.
#
#   parties   a model of N parties (default 300,000): duplicate ids by hash
#   suggest   N unknown holders against N parties (default 8,000): bounded
#             "did you mean"
#   export    `onus oscal export` of N areas (default 30,000 and 60,000)
#   alias     a 1 MB anchored string through 30,000 aliases (refused)
#   nesting   `- - - ...` 22,000 deep and `? ? ? ...` 9,000 deep (refused)
#   chain     a chain of 3,000 upstreams (refused at 64)
#
#   scripts/bench-shapes.sh
#   PARTIES=300000 HOLDERS=8000 AREAS="30000 60000" scripts/bench-shapes.sh
#
# Needs GNU time (`apt-get install -y time`). Figures: docs/benchmarks.md,
# "Hostile shapes". No shape may end in a crash (exit 134): the script
# fails if one does.
set -euo pipefail

cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
onus="$target/release/onus"
parties=${PARTIES:-300000}
holders=${HOLDERS:-8000}
areas=${AREAS:-30000 60000}
gnu_time=/usr/bin/time
if ! "$gnu_time" -f %M true >/dev/null 2>&1; then
    echo "GNU time is missing at $gnu_time: apt-get install -y time" >&2
    exit 2
fi
cargo build --release -q -p onus-cli
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "== machine"
echo "cpus: $(nproc), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# measure LABEL COMMAND...: one run's wall time, peak RSS and exit code.
measure() {
    local label=$1
    shift
    local start end out kb code user sys
    start=$(date +%s%N)
    # GNU time prints the peak RSS, the exit status (or the signal) and the
    # CPU time, which a busy machine disturbs less than the wall time.
    out=$("$gnu_time" -f '%M %x %U %S' "$@" 2>&1 >/dev/null | tail -1) || true
    end=$(date +%s%N)
    read -r kb code user sys <<<"$out"
    awk -v l="$label" -v ms="$(((end - start) / 1000000))" -v kb="$kb" -v c="$code" -v user="$user" -v sys="$sys" 'BEGIN {
        cpu = user + sys
        printf "%-48s wall %7.2f s   cpu %7.2f s   max RSS %7.1f MB   exit %s\n", l, ms / 1000, cpu, kb / 1024, c
    }'
    if ! [[ $code =~ ^[0-2]$ ]]; then
        echo "$label: exit $code, a crash" >&2
        exit 1
    fi
}

# model FILE PARTIES AREAS HOLDER-PREFIX: a model of PARTIES providers
# `party-N` and AREAS areas, each held by `HOLDER-PREFIX-N` (one of the
# parties when the prefix is `party`), each mapped to a control.
model() {
    awk -v parties="$2" -v areas="$3" -v holder="$4" 'BEGIN {
        print "onus: 1"
        print "model: { id: big, name: Big, publisher: party-1 }"
        print "frameworks:\n  nist: { name: NIST SP 800-53 }"
        print "offerings:\n  saas: { name: SaaS }"
        print "parties:"
        print "  customer: { name: Customer, role: customer }"
        for (i = 1; i <= parties; i++) printf "  party-%d: { name: Party %d, role: provider }\n", i, i
        print "areas:"
        for (i = 1; i <= areas; i++) printf "  area-%d: { name: Area %d, controls: [\"nist:ac-%d\"] }\n", i, i, i % 25 + 1
        print "responsibilities:"
        for (i = 1; i <= areas; i++) printf "  area-%d: %s-%d\n", i, holder, (i - 1) % parties + 1
    }' >"$1"
}

echo "== linear time"
# In JSON: in YAML, 300,000 parties are more than the two million events
# the YAML reader accepts (a syntax error, "the document is too large").
awk -v parties="$parties" 'BEGIN {
    printf "{\"onus\": 1, \"model\": {\"id\": \"big\", \"name\": \"Big\", \"publisher\": \"party-1\"},"
    printf " \"offerings\": {\"saas\": {\"name\": \"SaaS\"}}, \"parties\": {\"customer\": {\"name\": \"C\", \"role\": \"customer\"}"
    for (i = 1; i <= parties; i++) printf ", \"party-%d\": {\"name\": \"Party %d\", \"role\": \"provider\"}", i, i
    printf "}, \"areas\": {\"area-1\": {\"name\": \"Area 1\"}}, \"responsibilities\": {\"area-1\": \"party-1\"}}\n"
}' >"$dir/parties.onus.json"
measure "check: $parties parties (JSON)" "$onus" check "$dir/parties.onus.json"
model "$dir/suggest.onus.yaml" "$holders" "$holders" partx
measure "check: $holders unknown holders vs $holders parties" "$onus" check "$dir/suggest.onus.yaml"
for n in $areas; do
    model "$dir/export-$n.onus.yaml" 20 "$n" party
    measure "oscal export: $n areas" "$onus" oscal export "$dir/export-$n.onus.yaml"
    measure "oscal export --kind ssp: $n areas" "$onus" oscal export --kind ssp "$dir/export-$n.onus.yaml"
done
echo

echo "== bounded memory and stack (each is refused)"
{
    printf 'a: &big '
    head -c 1048576 /dev/zero | tr '\0' x
    printf '\nb: ['
    for _ in $(seq 29999); do printf '*big, '; done
    printf '*big]\n'
} >"$dir/alias.onus.yaml"
measure "1 MB anchored string, 30,000 aliases" "$onus" check "$dir/alias.onus.yaml"
{
    for _ in $(seq 22000); do printf -- '- '; done
    echo x
} >"$dir/dashes.onus.yaml"
measure "'- ' 22,000 deep" "$onus" check "$dir/dashes.onus.yaml"
{
    for _ in $(seq 9000); do printf -- '? '; done
    echo x
} >"$dir/keys.onus.yaml"
measure "'? ' 9,000 deep" "$onus" check "$dir/keys.onus.yaml"
mkdir "$dir/chain"
for i in $(seq 0 2999); do
    printf 'onus: 1\nmodel: { id: m%d, name: M, publisher: p }\nparties:\n  p: { name: P, role: provider }\nupstreams:\n  up: { model: m%d.onus.yaml }\n' \
        "$i" "$((i + 1))" >"$dir/chain/m$i.onus.yaml"
done
measure "a chain of 3,000 upstreams" "$onus" check "$dir/chain/m0.onus.yaml"
