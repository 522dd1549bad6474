#!/usr/bin/env bash
# qingxi benchmark: build, generate the corpus once (cached), measure, record.
#
#   bench/run.sh [SIZE_MB]        (default 200)
#
# Environment: SEED (default 1), REPEAT (runs per case, fastest kept; default 1),
# JOBS (threads for the all-threads runs; default all cores), NOTE (recorded with the
# results), RESULTS (file the table is appended to; default bench/RESULTS.md, "-" for
# terminal only), CARGO_TARGET_DIR (default ./target; the corpus is cached beside the build).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE="${1:-200}"
SEED="${SEED:-1}"
REPEAT="${REPEAT:-1}"
RESULTS="${RESULTS:-bench/RESULTS.md}"
TARGET="${CARGO_TARGET_DIR:-target}"

echo "== building release binaries" >&2
cargo build --release -p qingxi -p qingxi-bench >&2
BIN="$TARGET/release"

CORPUS="$TARGET/bench-corpus-$SIZE-$SEED"
if [ ! -f "$CORPUS/.complete" ]; then
    echo "== generating $SIZE MB corpus (seed $SEED) into $CORPUS" >&2
    rm -rf "$CORPUS"
    mkdir -p "$CORPUS"
    "$BIN/qingxi-bench" gen --size-mb "$SIZE" --seed "$SEED" \
        --out "$CORPUS/dir" --jsonl "$CORPUS/corpus.jsonl" --manifest "$CORPUS/manifest.json" >/dev/null
    touch "$CORPUS/.complete"
else
    echo "== reusing corpus $CORPUS" >&2
fi

args=(run --qingxi "$BIN/qingxi" --dir "$CORPUS/dir" --jsonl "$CORPUS/corpus.jsonl"
      --repeat "$REPEAT" --label "corpus $SIZE MB, seed $SEED")
[ "$RESULTS" != "-" ] && args+=(--results "$RESULTS")
[ -n "${JOBS:-}" ] && args+=(--jobs "$JOBS")
[ -n "${NOTE:-}" ] && args+=(--note "$NOTE")
echo "== measuring" >&2
"$BIN/qingxi-bench" "${args[@]}"
