#!/usr/bin/env bash
# cross-test.sh - build da3bench for 64-bit Arm Linux on a Debian x86-64
# machine and run the whole `meson test` suite under qemu-user.
#
#   scripts/cross-test.sh [meson test args...]
#
# Installs the cross compiler, qemu-user and the arm64 multiarch libraries
# if missing (as root or through sudo), configures build-arm64/ with
# cross/aarch64-linux-gnu.ini. Under emulation only correctness counts: the
# binary says so, and the timing checks that cannot hold there are skipped.
# BUILD_DIR overrides build-arm64/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build-arm64}
packages=(gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user
          libbenchmark-dev:arm64 libturbojpeg0-dev:arm64 libopenblas-dev:arm64 libssl-dev:arm64)

sudo=()
[ "$(id -u)" -ne 0 ] && sudo=(sudo)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "cross-test.sh: installing ${missing[*]}" >&2
    dpkg --print-foreign-architectures | grep -qx arm64 || "${sudo[@]}" dpkg --add-architecture arm64
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# the Debian-packaged pieces the native set-up installs (python3 for the
# test scripts, meson, ninja)
"$here/scripts/setup.sh" deps

[ -f "$build/build.ninja" ] ||
    meson setup "$build" "$here" --cross-file "$here/cross/aarch64-linux-gnu.ini" --buildtype=release \
        -Dcuda=disabled
meson compile -C "$build"
exec meson test -C "$build" --print-errorlogs --timeout-multiplier 4 "$@"
