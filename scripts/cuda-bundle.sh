#!/usr/bin/env bash
# cuda-bundle.sh - builds da3bench with CUDA here and packs it, with the
# shared libraries it needs, for a GPU machine that reaches no package
# registry (the H200 lent to some sessions).
#
#   scripts/cuda-bundle.sh [--system-cublas] [OUT_DIR]
#                                        default: dist/da3bench-cuda
#
# --system-cublas leaves cuBLAS and cuBLASLt (~570 MB) out: the run wrapper
# then finds the GPU machine's own (its CUDA toolkit, or the nvidia-cublas
# wheel PyTorch brings), and the bundle packs to ~8 MB
# (OUT_DIR.tar.xz), small enough to travel with a working tree.
#
# OUT_DIR/bin/da3bench, OUT_DIR/lib/ (OpenBLAS, libturbojpeg, libbenchmark,
# libcrypto, cudart, cuBLAS and what they load; not glibc, not the NVIDIA
# driver's libcuda, which belongs to the GPU machine), and OUT_DIR/run,
# which runs the bundled binary with that lib/ first:
#
#   OUT_DIR/run cuda --preset seed --json cuda.json
#
# The CUDA runtime here is the toolkit's (nvcc --version); the GPU machine's
# driver must support it (CUDA 13.0 needs driver 580 or later): the run
# says "no usable CUDA device: ... insufficient driver" otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
system_cublas=0
if [ "${1:-}" = --system-cublas ]; then
    system_cublas=1
    shift
fi
out=${1:-dist/da3bench-cuda}
build="build-cuda"

command -v nvcc >/dev/null || { echo "cuda-bundle.sh: nvcc not found (the CUDA toolkit's bin/ on PATH)" >&2; exit 2; }
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" -Dcuda=enabled >/dev/null
fi
meson compile -C "$build" >/dev/null

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp "$build/suites/da3bench" "$out/bin/"
# every library ldd resolves, but the C library's own and the driver's
ldd "$build/suites/da3bench" | awk '/=> \// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
        libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libcuda.so*) ;;
        libcublas*) [ "$system_cublas" = 1 ] || cp -L "$lib" "$out/lib/" ;;
        *) cp -L "$lib" "$out/lib/" ;;
    esac
done
cat > "$out/run" <<'RUN'
#!/bin/sh
# runs the bundled da3bench with the bundled libraries first
here=$(cd "$(dirname "$0")" && pwd)
path="$here/lib"
if [ ! -e "$here/lib/libcublas.so.13" ] && ! ldconfig -p 2>/dev/null | grep -q libcublasLt.so.13; then
    # built with --system-cublas: the machine's own cuBLAS 13
    lt=$(find /usr/local/cuda*/ /opt /usr/lib -name libcublasLt.so.13 2>/dev/null | head -n 1)
    [ -n "$lt" ] && path="$path:$(dirname "$lt")"
fi
LD_LIBRARY_PATH="$path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$here/bin/da3bench" "$@"
RUN
chmod +x "$out/run"
"$out/run" list cuda >/dev/null
if [ "$system_cublas" = 1 ]; then
    tar -C "$(dirname "$out")" -cJf "$out.tar.xz" "$(basename "$out")"
    echo "cuda-bundle.sh: $out.tar.xz ($(du -sh "$out.tar.xz" | cut -f1))"
fi
echo "cuda-bundle.sh: $out ($(du -sh "$out" | cut -f1)); on the GPU machine: $out/run cuda --preset seed --json cuda.json"
