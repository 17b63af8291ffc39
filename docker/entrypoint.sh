#!/bin/sh
# The image's entry point: `docker run da3bench [da3bench arguments]`.
# Runs the suites (the default quick set unless told otherwise), writes
# results.json, BENCHMARK_RESULTS.md and the plots into /out when a folder
# is mounted there, else prints the report and says how to keep it.
set -eu
# the image's pinned Debian packages (docker/packages.txt), recorded in
# every JSON's context as image_packages
if [ -r /etc/da3bench-packages ]; then
    DA3BENCH_IMAGE_PACKAGES=$(cat /etc/da3bench-packages)
    export DA3BENCH_IMAGE_PACKAGES
fi

case "${1:-}" in
--help | -h | help | --version | list | env | fixtures | convert | tune | report | compare)
    exec da3bench "$@"
    ;;
esac

if [ -d /out ] && [ -w /out ]; then
    out=/out
    mounted=yes
else
    out=$(mktemp -d)
    mounted=no
fi

status=0
da3bench run "$@" --json "$out/results.json" || status=$?
if [ -s "$out/results.json" ]; then
    python3 /opt/da3bench/scripts/report.py "$out/results.json" --out "$out" --format latex ||
        status=$?
fi
if [ "$mounted" = no ]; then
    [ -f "$out/BENCHMARK_RESULTS.md" ] && cat "$out/BENCHMARK_RESULTS.md"
    echo "da3bench: to keep results.json, BENCHMARK_RESULTS.md and the plots, mount a folder:" >&2
    echo "  docker run --rm -v \"\$PWD/out:/out\" da3bench $*" >&2
fi
exit "$status"
