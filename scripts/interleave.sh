#!/usr/bin/env bash
# interleave.sh - run a base and a head build alternately on one machine,
# then compare them: what makes a comparison hold on a noisy machine (both
# see the same slow and fast periods).
#
#   scripts/interleave.sh BASE_DA3BENCH HEAD_DA3BENCH ROUNDS OUTDIR [-- da3bench args]
#
# Each round runs base then head (head then base on odd rounds, so neither
# always goes first) with the given arguments; the rounds are merged per
# side (scripts/merge.py) and compared (scripts/compare.py, whose exit
# status this script returns; COMPARE_ARGS adds flags such as --threshold).
set -euo pipefail

if [ $# -lt 4 ]; then
    echo "usage: $0 BASE_DA3BENCH HEAD_DA3BENCH ROUNDS OUTDIR [-- da3bench args]" >&2
    exit 2
fi
base=$1 head=$2 rounds=$3 out=$4
shift 4
[ "${1:-}" = "--" ] && shift
case $rounds in '' | *[!0-9]*) echo "$0: ROUNDS '$rounds' is not a number" >&2; exit 2 ;; esac
for b in "$base" "$head"; do
    [ -x "$b" ] || { echo "$0: $b is not an executable" >&2; exit 2; }
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=$(command -v /usr/bin/python3 || command -v python3)
mkdir -p "$out"
for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then order=(base head); else order=(head base); fi
    for side in "${order[@]}"; do
        bin=$base
        [ "$side" = head ] && bin=$head
        "$bin" "$@" --json "$out/$side-$r.json" >"$out/$side-$r.log" 2>&1 ||
            { echo "$0: $bin failed, see $out/$side-$r.log" >&2; exit 1; }
    done
done
"$py" "$here/merge.py" "$out"/base-*.json -o "$out/base.json"
"$py" "$here/merge.py" "$out"/head-*.json -o "$out/head.json"
# shellcheck disable=SC2086
exec "$py" "$here/compare.py" "$out/base.json" "$out/head.json" ${COMPARE_ARGS:-}
