#!/usr/bin/env bash
# Benchmark: load the NIST SP 800-53 Rev. 5 catalog and resolve its HIGH
# baseline with onus and with compliance-trestle, and compare onus with
# merely parsing the catalog JSON (serde_json). Targets: onus at least 20x
# faster than trestle, and within 3x of the bare parse. Then the same pairing
# for FedRAMP's Rev. 5 LOW profile through the mapped chain (its catalog
# import mapped to NIST's resolved 5.1.1 HIGH catalog).
#
# Installs compliance-trestle from PyPI into a virtualenv under target/
# (never run by CI). Figures are recorded in docs/benchmarks.md ("OSCAL").
#
# The machine may be busy with other work, so the trestle comparison is
# paired: each round times one trestle resolution and, right after it, a few
# onus ones; the ratio is the median of the per-round ratios.
#
# Usage: scripts/bench-oscal.sh
# Environment:
#   RUNS=30               rounds of the onus table (cargo bench)
#   ROUNDS=15             paired trestle/onus rounds
#   TRESTLE_VERSION=5.2.0 the compliance-trestle release to install ("" = latest)
#   OSCAL_DATA=...        folder with the NIST files
#                         (default: data/oscal/nist-800-53-rev5)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
data="${OSCAL_DATA:-$root/data/oscal/nist-800-53-rev5}"
data="$(cd "$data" && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/bench-oscal"
runs="${RUNS:-30}"
rounds="${ROUNDS:-15}"
trestle_version="${TRESTLE_VERSION-5.2.0}"
catalog="$data/NIST_SP-800-53_rev5_catalog.json"
profile="$data/NIST_SP-800-53_rev5_HIGH-baseline_profile.json"
fedramp_low="$root/data/oscal/fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json"
nist_high_511="$root/data/oscal/nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json"
mkdir -p "$work"

echo "== machine"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "nproc:   $(nproc)"
echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
echo "kernel:  $(uname -sr)"
echo "rustc:   $(rustc --version)"
echo "python:  $(python3 --version 2>&1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# --- onus -----------------------------------------------------------------------
echo
echo "== onus (cargo bench --profile profiling -p onus-oscal --bench resolve)"
bench_bin="$(cd "$root" && cargo bench --profile profiling -p onus-oscal --bench resolve --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "resolve" and msg.get("executable"):
        print(msg["executable"])')"
RUNS="$runs" "$bench_bin" | tee "$work/onus.out"

# --- compliance-trestle -------------------------------------------------------
trestle_ok=1
venv="$work/venv"
if [ ! -x "$venv/bin/trestle" ]; then
    echo
    echo "== installing compliance-trestle${trestle_version:+==$trestle_version} into $venv"
    if ! python3 -m venv "$venv" >"$work/venv.log" 2>&1; then
        echo "cannot create a virtualenv (python3 -m venv failed):" >&2
        tail -5 "$work/venv.log" >&2
        trestle_ok=0
    elif ! "$venv/bin/pip" install --quiet "compliance-trestle${trestle_version:+==$trestle_version}" \
        >"$work/pip.log" 2>&1; then
        echo "cannot install compliance-trestle from PyPI (pip failed):" >&2
        tail -5 "$work/pip.log" >&2
        trestle_ok=0
    fi
fi

if [ "$trestle_ok" = 1 ]; then
    # trestle resolves a profile inside a trestle workspace and fetches local
    # imports by absolute path: give it a copy of the HIGH profile whose
    # import points at the JSON catalog (NIST's points at the .xml sibling).
    ws="$work/trestle-workspace"
    if [ ! -d "$ws/.trestle" ]; then
        rm -rf "$ws" && mkdir -p "$ws"
        (cd "$ws" && "$venv/bin/trestle" init >/dev/null)
    fi
    cat >"$work/bench_trestle.py" <<'PY'
"""Time compliance-trestle resolving a profile, paired round by round with
the onus bench binary.

trestle resolves a profile inside a trestle workspace and fetches local
imports by absolute path: it gets a copy of the profile whose import href
FROM (in `imports` or a back-matter link) is the absolute path TO, which
is what onus's `--href-map FROM=TO` does."""
import json, os, pathlib, statistics, subprocess, sys, time
from importlib.metadata import version

from trestle.core.profile_resolver import ProfileResolver
from trestle.oscal.catalog import Catalog

ws, source, href_from, href_to, expected, case, rounds, onus_bin = sys.argv[1:]
ws, catalog = pathlib.Path(ws), pathlib.Path(href_to)
expected, rounds = int(expected), int(rounds)

doc = json.loads(pathlib.Path(source).read_text())
for imp in doc["profile"]["imports"]:
    if imp["href"] == href_from:
        imp["href"] = href_to
for resource in doc["profile"].get("back-matter", {}).get("resources", []):
    for link in resource.get("rlinks", []):
        if link["href"] == href_from:
            link["href"] = href_to
profile = ws / f"{case}-profile.json"
profile.write_text(json.dumps(doc, indent=2))

def count(controls):
    return sum(1 + count(c.controls) for c in controls or [])

def resolve():
    resolved = ProfileResolver.get_resolved_profile_catalog(ws, profile)
    n = count(resolved.controls) + sum(count(g.controls) for g in resolved.groups or [])
    assert n == expected, f"trestle resolved {n} controls, expected {expected}"

def onus():
    env = dict(os.environ, RUNS="5", CASES=f"{case},floor_file")
    out = subprocess.run([onus_bin], env=env, check=True, capture_output=True, text=True).stdout
    return {f[1]: float(f[2]) for f in (l.split() for l in out.splitlines()) if f and f[0] == "RESULT"}

def timed(run):
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1e3

print(f"compliance-trestle {version('compliance-trestle')}, pydantic {version('pydantic')}")
resolve()  # warm up
trestle, ours, ratios = [], [], []
for _ in range(rounds):
    t = timed(resolve)
    o = onus()[case]
    trestle.append(t)
    ours.append(o)
    ratios.append(t / o)
load = [timed(lambda: Catalog.oscal_read(catalog)) for _ in range(5)]
pyjson = [timed(lambda: json.loads(catalog.read_text())) for _ in range(5)]

print(f"\n{rounds} paired rounds (one trestle resolution, then onus {case} x5)\n")
print(f"{'case':<16} {'median ms':>11} {'fastest ms':>11}  what")
rows = [
    ("trestle_resolve", trestle, f"trestle: load catalog + resolve {profile.name} (ProfileResolver)"),
    (case, ours, f"onus: {case}, median of 5 per round"),
    ("trestle_load", load, "trestle: Catalog.oscal_read(catalog), 5 runs"),
    ("python_json", pyjson, "python: json.loads(catalog file), 5 runs"),
]
for name, times, what in rows:
    print(f"{name:<16} {statistics.median(times):>11.2f} {min(times):>11.2f}  {what}")
print(f"\ntrestle / onus per round: median {statistics.median(ratios):.1f}x, "
      f"lowest {min(ratios):.1f}x, highest {max(ratios):.1f}x")
for name, times, _ in rows:
    print(f"RESULT {name} {statistics.median(times):.4f}")
print(f"RESULT paired_ratio {statistics.median(ratios):.4f}")
print(f"RESULT paired_ratio_min {min(ratios):.4f}")
PY
    echo
    echo "== compliance-trestle vs onus, paired: NIST HIGH"
    (cd "$ws" && "$venv/bin/python" "$work/bench_trestle.py" "$ws" "$profile" \
        NIST_SP-800-53_rev5_catalog.xml "$catalog" 370 onus_file "$rounds" "$bench_bin") |
        tee "$work/trestle.out"
    echo
    echo "== compliance-trestle vs onus, paired: FedRAMP LOW, catalog mapped to NIST 5.1.1 HIGH"
    (cd "$ws" && "$venv/bin/python" "$work/bench_trestle.py" "$ws" "$fedramp_low" \
        NIST_SP-800-53_rev5_catalog.json "$nist_high_511" 156 fedramp_low "$rounds" "$bench_bin") |
        tee "$work/trestle-fedramp.out"
fi

# --- ratios ---------------------------------------------------------------------
result() { awk -v name="$1" '$1 == "RESULT" && $2 == name { print $3 }' "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
check() { awk -v r="$1" -v op="$2" -v t="$3" 'BEGIN { ok = (op == ">=") ? r >= t : r <= t; print ok ? "met" : "NOT met" }'; }

echo
echo "== ratios (medians)"
r="$(ratio "$(result onus_file "$work/onus.out")" "$(result floor_file "$work/onus.out")")"
echo "onus load+resolve HIGH / serde_json parse, from disk:  ${r}x  (target <= 3x: $(check "$r" "<=" 3))"
r="$(ratio "$(result onus "$work/onus.out")" "$(result floor "$work/onus.out")")"
echo "onus parse+resolve HIGH / serde_json parse, in memory: ${r}x"
if [ "$trestle_ok" = 1 ]; then
    r="$(awk '$1 == "RESULT" && $2 == "paired_ratio" { printf "%.1f", $3 }' "$work/trestle.out")"
    echo "onus faster than trestle, load + resolve HIGH, paired: ${r}x  (target >= 20x: $(check "$r" ">=" 20))"
    r="$(awk '$1 == "RESULT" && $2 == "paired_ratio" { printf "%.1f", $3 }' "$work/trestle-fedramp.out")"
    echo "onus faster than trestle, FedRAMP LOW through the mapped chain, paired: ${r}x"
else
    echo "trestle: not measured (see the error above)"
fi
