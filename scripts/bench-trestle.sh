#!/usr/bin/env bash
# Whole-process benchmark: resolve FedRAMP's Rev. 5 LOW profile through the
# mapped chain (its catalog import mapped to NIST's resolved 5.1.1 HIGH
# catalog) with the onus CLI and with the compliance-trestle CLI, on copies
# of the same two files, in the same run; print both timings, the ratio, and
# whether both resolved the same control ids (and FedRAMP's own resolved LOW).
#
#   onus oscal resolve PROFILE --href-map NIST_SP-800-53_rev5_catalog.json=CATALOG -o OUT
#   trestle author profile-resolve -n fedramp_low -o fedramp_low_resolved
#
# Each command is a whole process (start-up, read, resolve, write the JSON);
# the in-process, paired figures are scripts/bench-oscal.sh's. Results:
# docs/benchmarks.md, "OSCAL", "FedRAMP LOW, whole process".
#
# Installs compliance-trestle from PyPI into a virtualenv outside the
# repository's sources (never run by CI). Exit 2 if python3 or pip is missing.
#
# Environment:
#   RUNS=10               runs of each command (after one warm-up)
#   TRESTLE_VERSION=5.2.0 the compliance-trestle release ("" = latest)
#   TRESTLE_VENV=DIR      the virtualenv (default target/bench-trestle/venv)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/bench-trestle"
runs="${RUNS:-10}"
trestle_version="${TRESTLE_VERSION-5.2.0}"
venv="${TRESTLE_VENV:-$work/venv}"
onus="$target/release/onus"
src_profile="$root/data/oscal/fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json"
src_catalog="$root/data/oscal/nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json"
oracle="$root/data/oscal/fedramp-rev5/FedRAMP_rev5_LOW-baseline-resolved-profile_catalog.json"
href_from="NIST_SP-800-53_rev5_catalog.json"

if ! command -v python3 >/dev/null; then
    echo "bench-trestle: python3 is missing; install Python 3.9 or later with venv and pip" >&2
    exit 2
fi

echo "== machine"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), nproc $(nproc)"
echo "kernel:  $(uname -sr)"
echo "rustc:   $(rustc --version)"
echo "python:  $(python3 --version 2>&1)"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# --- onus: the release binary, as scripts/bench-shapes.sh builds it ------------
(cd "$root" && cargo build --release -q -p onus-cli)

# --- compliance-trestle ---------------------------------------------------------
if [ ! -x "$venv/bin/trestle" ]; then
    echo
    echo "== installing compliance-trestle${trestle_version:+==$trestle_version} into $venv"
    mkdir -p "$work"
    if ! python3 -m venv "$venv" >"$work/venv.log" 2>&1; then
        echo "bench-trestle: cannot create a virtualenv (python3 -m venv failed; on Debian: apt-get install python3-venv):" >&2
        tail -5 "$work/venv.log" >&2
        exit 2
    fi
    if ! "$venv/bin/pip" install --quiet "compliance-trestle${trestle_version:+==$trestle_version}" >"$work/pip.log" 2>&1; then
        echo "bench-trestle: cannot install compliance-trestle with pip (see $work/pip.log):" >&2
        tail -5 "$work/pip.log" >&2
        exit 2
    fi
fi
py="$venv/bin/python"
echo "trestle: compliance-trestle $("$py" -c 'from importlib.metadata import version as v; print(v("compliance-trestle"), "pydantic", v("pydantic"))')"

# --- the same files for both ----------------------------------------------------
# One copy of the profile and of the catalog. onus reads the profile as
# FedRAMP publishes it and maps its catalog href with --href-map; trestle
# (which resolves a profile of its workspace and has no href mapping) gets
# the profile with that one back-matter href rewritten to the copied
# catalog's absolute path. Both then read the same catalog file.
files="$work/files"
ws="$work/trestle-workspace"
rm -rf "$files" "$ws"
mkdir -p "$files" "$ws"
cp "$src_profile" "$src_catalog" "$files/"
profile="$files/$(basename "$src_profile")"
catalog="$files/$(basename "$src_catalog")"
(cd "$ws" && "$venv/bin/trestle" init >/dev/null)
mkdir -p "$ws/profiles/fedramp_low"
"$py" - "$profile" "$href_from" "$catalog" "$ws/profiles/fedramp_low/profile.json" <<'PY'
import json, sys
source, href_from, href_to, out = sys.argv[1:]
doc = json.load(open(source))
hits = 0
for imp in doc["profile"]["imports"]:
    if imp["href"] == href_from:
        imp["href"], hits = href_to, hits + 1
for resource in doc["profile"].get("back-matter", {}).get("resources", []):
    for link in resource.get("rlinks", []):
        if link["href"] == href_from:
            link["href"], hits = href_to, hits + 1
assert hits, f"no href {href_from} in {source}"
json.dump(doc, open(out, "w"), indent=2)
PY

onus_out="$work/onus-resolved.json"
trestle_out="$ws/catalogs/fedramp_low_resolved/catalog.json"
onus_cmd="$onus oscal resolve $profile --href-map $href_from=$catalog -o $onus_out"
trestle_cmd="$venv/bin/trestle author profile-resolve -n fedramp_low -o fedramp_low_resolved --trestle-root $ws"
import_cmd="$py -c 'import trestle.core.profile_resolver'"

# --- same result? -------------------------------------------------------------
if ! eval "$onus_cmd" 2>"$work/onus.stderr"; then
    echo "bench-trestle: onus could not resolve the chain:" >&2
    cat "$work/onus.stderr" >&2
    exit 1
fi
if ! eval "$trestle_cmd" >"$work/trestle.log" 2>&1; then
    echo "bench-trestle: trestle could not resolve the chain (what it can do is recorded in docs/benchmarks.md):" >&2
    tail -20 "$work/trestle.log" >&2
    exit 1
fi
echo
echo "== control ids (document order, groups and nested enhancements included)"
"$py" - "$onus_out" "$trestle_out" "$oracle" <<'PY'
import json, sys

def ids(path):
    out = []
    def walk(controls):
        for c in controls or []:
            out.append(c["id"])
            walk(c.get("controls"))
    cat = json.load(open(path))["catalog"]
    walk(cat.get("controls"))
    for g in cat.get("groups") or []:
        walk(g.get("controls"))
    return out

onus, trestle, fedramp = (ids(p) for p in sys.argv[1:])
print(f"onus:    {len(onus)} controls")
print(f"trestle: {len(trestle)} controls")
print(f"FedRAMP's resolved LOW: {len(fedramp)} controls")
for name, other in (("trestle", trestle), ("FedRAMP's resolved LOW", fedramp)):
    if onus == other:
        print(f"onus == {name}: same ids, same order")
    elif set(onus) == set(other):
        print(f"onus vs {name}: same ids, DIFFERENT order")
    else:
        print(f"onus vs {name}: DIFFERENT ids: only onus {sorted(set(onus) - set(other))}, "
              f"only {name} {sorted(set(other) - set(onus))}")
PY

# --- timings ------------------------------------------------------------------
echo
echo "== whole process, $runs runs each (load: $(cut -d' ' -f1-3 /proc/loadavg))"
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$work/hyperfine.json" \
        -n onus "$onus_cmd" -n trestle "$trestle_cmd" \
        -n "floor: onus --version" "$onus --version" \
        -n "floor: python -c 'import trestle.core.profile_resolver'" "$import_cmd"
    "$py" - "$work/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
cpu = {name: (x["user"] + x["system"]) * 1e3 for name, x in r.items()}
print(f"\n{'command':<56} {'median ms':>10} {'min ms':>9} {'cpu ms':>8}")
for name, x in r.items():
    print(f"{name:<56} {x['median'] * 1e3:>10.1f} {x['min'] * 1e3:>9.1f} {cpu[name]:>8.1f}")
print(f"\ntrestle / onus, whole process: median {r['trestle']['median'] / r['onus']['median']:.1f}x, "
      f"min {r['trestle']['min'] / r['onus']['min']:.1f}x, cpu (user + system, mean) "
      f"{cpu['trestle'] / cpu['onus']:.1f}x")
PY
else
    # No hyperfine (apt-get install hyperfine): median and min of $runs runs.
    measure() {
        local label=$1 cmd=$2 walls=()
        eval "$cmd" >/dev/null 2>&1
        for _ in $(seq "$runs"); do
            local start end
            start=$(date +%s%N)
            eval "$cmd" >/dev/null 2>&1
            end=$(date +%s%N)
            walls+=($(((end - start) / 1000)))
        done
        local sorted
        sorted=$(printf '%s\n' "${walls[@]}" | sort -n)
        printf '%-56s median %9.1f ms   min %9.1f ms\n' "$label" \
            "$(echo "$sorted" | sed -n "$(((runs + 1) / 2))p" | awk '{print $1 / 1000}')" \
            "$(echo "$sorted" | head -1 | awk '{print $1 / 1000}')" | tee -a "$work/loop.out"
    }
    : >"$work/loop.out"
    measure onus "$onus_cmd"
    measure trestle "$trestle_cmd"
    measure "floor: onus --version" "$onus --version"
    measure "floor: python -c 'import trestle.core.profile_resolver'" "$import_cmd"
    awk '$1 == "onus" { o = $3 } $1 == "trestle" { t = $3 }
        END { printf "\ntrestle / onus, whole process (medians): %.1fx\n", t / o }' "$work/loop.out"
fi
