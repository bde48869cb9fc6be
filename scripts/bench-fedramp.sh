#!/usr/bin/env bash
# Benchmark: resolve FedRAMP's Rev. 5 LOW profile through the mapped chain
# (its catalog import mapped to NIST's resolved 5.1.1 HIGH catalog) with onus
# and with compliance-trestle, paired round by round as in bench-oscal.sh.
# Figures are recorded in docs/benchmarks.md ("OSCAL").
#
# Needs the compliance-trestle virtualenv that scripts/bench-oscal.sh makes
# under target/bench-oscal/venv (run that first). Never run by CI.
#
# Usage: scripts/bench-fedramp.sh      (ROUNDS=10 paired rounds)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/bench-oscal"
venv="$work/venv"
rounds="${ROUNDS:-10}"
profile="$root/data/oscal/fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json"
high="$root/data/oscal/nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json"
if [ ! -x "$venv/bin/trestle" ]; then
    echo "no compliance-trestle in $venv: run scripts/bench-oscal.sh first" >&2
    exit 2
fi
ws="$work/trestle-workspace"
if [ ! -d "$ws/.trestle" ]; then
    rm -rf "$ws" && mkdir -p "$ws"
    (cd "$ws" && "$venv/bin/trestle" init >/dev/null)
fi
bench_bin="$(cd "$root" && cargo bench -p onus-oscal --bench resolve --no-run --message-format=json 2>/dev/null |
    python3 -c '
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "resolve" and msg.get("executable"):
        print(msg["executable"])')"

cat >"$work/bench_fedramp.py" <<'PY'
"""Time compliance-trestle on FedRAMP Rev. 5 LOW, paired with onus."""
import json, os, pathlib, statistics, subprocess, sys, time
from importlib.metadata import version

from trestle.core.profile_resolver import ProfileResolver

ws, fedramp, high, rounds, onus_bin = sys.argv[1:]
ws, rounds = pathlib.Path(ws), int(rounds)

# trestle fetches local imports by absolute path: point FedRAMP's back-matter
# link to the catalog at NIST's resolved HIGH, as onus's --href-map does.
doc = json.loads(pathlib.Path(fedramp).read_text())
for resource in doc["profile"]["back-matter"]["resources"]:
    for link in resource.get("rlinks", []):
        if link["href"] == "NIST_SP-800-53_rev5_catalog.json":
            link["href"] = high
profile = ws / "fedramp-low-profile.json"
profile.write_text(json.dumps(doc, indent=2))

def count(controls):
    return sum(1 + count(c.controls) for c in controls or [])

def resolve():
    resolved = ProfileResolver.get_resolved_profile_catalog(ws, profile)
    n = count(resolved.controls) + sum(count(g.controls) for g in resolved.groups or [])
    assert n == 156, f"trestle resolved {n} controls, expected 156"

def onus():
    env = dict(os.environ, RUNS="5", CASES="fedramp_low")
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
    o = onus()["fedramp_low"]
    trestle.append(t)
    ours.append(o)
    ratios.append(t / o)
print(f"\n{rounds} paired rounds (one trestle resolution, then onus fedramp_low x5)\n")
print(f"{'case':<16} {'median ms':>11} {'fastest ms':>11}  what")
for name, times, what in [
    ("trestle_fedramp", trestle, "trestle: load NIST 5.1.1 HIGH + resolve FedRAMP LOW"),
    ("onus_fedramp", ours, "onus: load::resolve_file(FedRAMP LOW, --href-map), median of 5"),
]:
    print(f"{name:<16} {statistics.median(times):>11.2f} {min(times):>11.2f}  {what}")
print(f"\ntrestle / onus per round: median {statistics.median(ratios):.1f}x, "
      f"lowest {min(ratios):.1f}x, highest {max(ratios):.1f}x")
PY
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"
(cd "$ws" && "$venv/bin/python" "$work/bench_fedramp.py" "$ws" "$profile" "$high" "$rounds" "$bench_bin")
