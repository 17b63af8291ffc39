#!/usr/bin/env bash
# cuda-batch.sh - the whole GPU batch in one go, for a lent GPU machine
# whose time is short: every step has its own time limit, a step that fails
# is logged and the next one runs, and everything lands in OUT_DIR.
#
#   scripts/cuda-batch.sh BUNDLE OUT_DIR
#
# BUNDLE is scripts/cuda-bundle.sh's folder or its .tar.xz. In order:
#   nvidia-smi and `da3bench env`                        env.json
#   the unit checks on the device: every implementation at N 1, 63, 65, 200
#   and D 32, 64, 128 against the double reference, a short prefetch    check.json
#   attention, seed preset (N 256..8192), 3 repetitions       attn-seed.json
#   attention, DA3 shapes and N 16384 (cuda-da3.shapes)        attn-da3.json
#   prefetch, io 0/2/5/10/20 ms x depth 0/1/2/4, 3 repetitions prefetch.json
#   compute-sanitizer memcheck and racecheck on small cases,
#   last: the slowest to answer                                sanitizer.log
# and batch.log: each step's command, exit status, seconds and output.
set -u
[ $# -eq 2 ] || { echo "usage: scripts/cuda-batch.sh BUNDLE OUT_DIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
bundle=$1 out=$2
mkdir -p "$out" || exit 1
case "$bundle" in
    *.tar.xz)
        tmp=$(mktemp -d) || exit 1
        trap 'rm -rf "$tmp"' EXIT
        tar -C "$tmp" -xJf "$bundle" || { echo "cuda-batch.sh: $bundle: cannot unpack" >&2; exit 1; }
        bundle=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1) ;;
esac
run=$bundle/run
[ -x "$run" ] || { echo "cuda-batch.sh: $run: not a da3bench bundle" >&2; exit 2; }
log=$out/batch.log
: > "$log"
impls=naive,naive_tf32,flash,flash_tf32,flash_br128,flash_tf32_br128
failed=0

# step LIMIT_S NAME COMMAND...: runs it with its limit, output to the log
step() {
    local limit=$1 name=$2
    shift 2
    echo "=== $name: $* (limit ${limit}s)" >> "$log"
    local t0=$SECONDS
    timeout -k 10 "$limit" "$@" >> "$log" 2>&1
    local rc=$?
    echo "=== $name: exit $rc after $((SECONDS - t0)) s" >> "$log"
    [ $rc -eq 0 ] || failed=$((failed + 1))
    echo "cuda-batch.sh: $name: exit $rc after $((SECONDS - t0)) s"
}

step 20 nvidia-smi nvidia-smi
step 60 env sh -c "'$run' env > '$out/env.json'"
step 90 check "$run" cuda --seq 1,63,65,200 --batch 1 --heads 2 --head-dim 32,64,128 \
    --cuda-impl "$impls" --depth 0,2 --io-ms 0 --batches 4 \
    --benchmark_min_time=0.01 --json "$out/check.json"
step 200 attn-seed "$run" cuda --preset seed --cuda-impl "$impls" \
    --benchmark_filter='cuda_peak|cuda_attention' --repetitions 3 \
    --benchmark_min_time=0.2 --json "$out/attn-seed.json"
step 100 attn-da3 "$run" cuda --shapes "$here/cuda-da3.shapes" --cuda-impl "$impls" \
    --benchmark_filter='cuda_peak|cuda_attention' --repetitions 3 \
    --benchmark_min_time=0.2 --json "$out/attn-da3.json"
step 150 prefetch "$run" cuda --preset seed --io-ms 0,2,5,10,20 --depth 0,1,2,4 \
    --benchmark_filter=cuda_prefetch --repetitions 3 --json "$out/prefetch.json"
if command -v compute-sanitizer >/dev/null; then
    # memcheck on everything; racecheck (shared memory) on the attention
    # kernels only: on the H200 it went through the six in 4 s, then spent
    # the rest of its minute in the prefetch MLP's cuBLAS calls
    for tool in memcheck racecheck; do
        filter=.
        [ "$tool" = racecheck ] && filter='cuda_peak|cuda_attention'
        step 90 "sanitizer-$tool" sh -c "compute-sanitizer --tool $tool --error-exitcode 9 \
            '$run' cuda --seq 65 --batch 1 --heads 2 --head-dim 64 --cuda-impl '$impls' \
            --depth 2 --io-ms 0 --batches 3 --benchmark_min_time=0.001 \
            --benchmark_filter='$filter' >> '$out/sanitizer.log' 2>&1"
    done
else
    echo "=== compute-sanitizer: not on this machine" >> "$log"
fi
echo "cuda-batch.sh: $failed step(s) failed; $out"
[ $failed -eq 0 ]
