#!/usr/bin/env bash
# Coverage-guided fuzzing of one target, from the repository's root:
#
#   scripts/fuzz.sh TARGET [SECONDS]     # default 600 s
#   scripts/fuzz.sh list
#
# Targets: pipeline, yaml_fast_path (onus-core); oscal_resolve,
# oscal_import, oscal_documents (onus-oscal). With a nightly toolchain (`rustup toolchain
# list`), libFuzzer through cargo-fuzz (installed from crates.io when
# missing), seeded with the repository's models and OSCAL documents; the
# corpus grows in crates/*/fuzz/corpus/TARGET and is reused by the next run.
# Without nightly, the same properties run as proptest on stable
# (PROPTEST_CASES scaled to the time given): not coverage-guided, but it
# runs anywhere. Findings and figures: docs/fuzzing.md.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
target=${1:-}
seconds=${2:-600}

case $target in
pipeline | yaml_fast_path) crate=onus-core ;;
oscal_resolve | oscal_import | oscal_documents) crate=onus-oscal ;;
list)
    printf '%s\n' pipeline yaml_fast_path oscal_resolve oscal_import oscal_documents
    exit 0
    ;;
*)
    echo "usage: scripts/fuzz.sh TARGET [SECONDS]; targets: scripts/fuzz.sh list" >&2
    exit 2
    ;;
esac

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    echo "no nightly toolchain: running the proptest properties on stable instead" >&2
    cases=$((seconds * 200))
    case $target in
    pipeline) PROPTEST_CASES=$cases cargo test --release -p onus-core --test no_panic ;;
    yaml_fast_path) PROPTEST_CASES=$cases cargo test --release -p onus-core --test yaml_fast_path ;;
    oscal_resolve | oscal_import | oscal_documents) PROPTEST_CASES=$cases cargo test --release -p onus-oscal --test import ;;
    esac
    exit
fi

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi

dir="crates/$crate/fuzz"
corpus="$dir/corpus/$target"
mkdir -p "$corpus"
# Seeds, the first time: what the target reads in real life.
if [[ -z $(ls -A "$corpus") ]]; then
    case $target in
    pipeline | yaml_fast_path)
        cp examples/*.onus.yaml "$corpus/"
        find crates/onus-cli/tests/check -name '*.onus.yaml' -exec cp {} "$corpus/" \;
        ;;
    oscal_resolve)
        # A profile, NUL, a small catalog: the shape the target splits.
        for p in data/oscal/nist-800-53-rev5/*profile.json; do
            [[ -f $p ]] || continue
            { cat "$p"; printf '\0'; cat data/oscal/examples/basic-catalog.json; } \
                >"$corpus/$(basename "$p")"
        done
        ;;
    oscal_documents)
        # The first byte chooses the syntax: 0 XML, 1 YAML, 2 JSON.
        for f in data/oscal/examples/xml/*.xml data/oscal/nist-800-53-rev5/*.xml; do
            [[ -f $f ]] && { printf '\0'; head -c 65535 "$f"; } >"$corpus/$(basename "$f")"
        done
        for f in data/oscal/examples/*.json; do
            [[ -f $f ]] && { printf '\2'; head -c 65535 "$f"; } >"$corpus/$(basename "$f")"
        done
        ;;
    oscal_import)
        # NIST's example SSPs and component definitions, and every example
        # model exported as both.
        cp data/oscal/examples/*ssp*.json data/oscal/examples/*component*.json "$corpus/"
        cargo build --release -q -p onus-cli
        onus="${CARGO_TARGET_DIR:-target}/release/onus"
        for m in examples/*.onus.yaml; do
            name=$(basename "$m" .onus.yaml)
            "$onus" oscal export "$m" >"$corpus/$name-cd.json"
            # An SSP is of one offering: the error of a model with several
            # names them, one SSP each.
            if ! "$onus" oscal export --kind ssp "$m" >"$corpus/$name-ssp.json" 2>"$corpus.err"; then
                rm -f "$corpus/$name-ssp.json"
                for o in $(sed -n 's/.*(\(.*\))$/\1/p' "$corpus.err" | tr ',' ' '); do
                    "$onus" oscal export --kind ssp --offering "$o" "$m" >"$corpus/$name-$o-ssp.json"
                done
            fi
            rm -f "$corpus.err"
        done
        ;;
    esac
fi

dict=()
[[ -f $dir/../../onus-core/fuzz/onus.dict ]] && dict=(-dict="$root/crates/onus-core/fuzz/onus.dict")
# The examples' SSPs are up to 400 KB: cut at 64 KB they are no longer
# JSON, and the import would never be reached.
max_len=65536
[[ $target == oscal_import ]] && max_len=524288
cd "crates/$crate"
cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
    "${dict[@]}" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=4096
