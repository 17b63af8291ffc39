#!/usr/bin/env bash
# Seeds the corpora and runs each fuzz target for SECONDS (default 60).
#   tests/fuzz/run.sh BUILD_DIR WORK_DIR [SECONDS] [TARGET...]
# BUILD_DIR was configured with -Dfuzz=true under clang (see meson.build).
# Prints each target's executions; exits non-zero if a target found a crash.
# DA3BENCH names the da3bench that writes the seed fixtures (default: the
# one in BUILD_DIR).
set -euo pipefail
build=$1 work=$2 secs=${3:-60}
shift $(($# < 3 ? $# : 3))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_preprocess fuzz_sweep fuzz_manifest)
da3=${DA3BENCH:-$build/suites/da3bench}
mkdir -p "$work"
seed_corpora() {
    local c=$work/corpus
    mkdir -p "$c/preprocess" "$c/sweep" "$c/manifest"
    if [ ! -f "$c/preprocess/.seeded" ]; then
        local i=0
        for spec in "natural 64x48 90" "noise 32x32 50" "natural 17x300 75" "natural 640x360 95"; do
            read -r kind size q <<<"$spec"
            "$da3" fixtures gen --dir "$work/fx-$i" --count 1 --kind "$kind" --size "$size" \
                --quality "$q" >/dev/null
            for mode in 0 5 18 39; do # method, dct bit, res index
                # shellcheck disable=SC2059 # the format is the mode byte, built here
                { printf "\\$(printf '%03o' "$mode")"; cat "$work/fx-$i/img_0000.jpg"; } \
                    >"$c/preprocess/seed-$i-$mode"
            done
            cp "$work/fx-$i/manifest.txt" "$c/manifest/seed-$i"
            i=$((i + 1))
        done
        for s in 256,1024,2048 256..8192:x2 0..20:+5 1,4..16:x2 16G 512MiB; do
            printf '%s' "$s" >"$c/sweep/seed-$(printf '%s' "$s" | tr -c 'a-zA-Z0-9' '_')"
        done
        touch "$c/preprocess/.seeded"
    fi
}
seed_corpora
status=0
for t in "${targets[@]}"; do
    corpus=$work/corpus/${t#fuzz_}
    log=$work/$t.log
    "$build/tests/fuzz/$t" "$corpus" -max_total_time="$secs" -rss_limit_mb=2048 \
        -timeout=30 -artifact_prefix="$work/$t-" -print_final_stats=1 >"$log" 2>&1 || status=1
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "$t: ${execs:-?} executions in ${secs} s, exit $([ $status -eq 0 ] && echo ok || echo CRASH, see "$log")"
done
exit $status
