#!/bin/sh
# Do the pins of docker/packages.txt still resolve? Names every pin whose
# version the archive no longer holds, exit 1 if any. Runs as root in a
# Debian bookworm container (it writes the image's apt sources and updates
# them), or with --host against this machine's apt lists as they are.
#   docker run --rm -v "$PWD/docker:/d:ro" debian:bookworm-slim /d/check-pins.sh [SNAPSHOT]
#   docker/check-pins.sh --host
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --host ]; then
    shift
else
    rm -f /etc/apt/sources.list
    sh "$here/apt-sources.sh" "${1:-}" > /etc/apt/sources.list.d/debian.sources
    apt-get update -qq
fi
bad=0 n=0
# pins have no spaces: one word each
# shellcheck disable=SC2013
for pin in $(sed -n 's/^\(build\|run\) //p' "$here/packages.txt" | sort -u); do
    n=$((n + 1))
    pkg=${pin%%=*} ver=${pin#*=}
    if ! apt-cache madison "$pkg" | awk -F'|' '{gsub(/ /, "", $2); print $2}' | grep -qxF "$ver"; then
        have=$(apt-cache madison "$pkg" | awk -F'|' '{gsub(/ /, "", $2); printf "%s ", $2}')
        echo "check-pins.sh: $pin no longer resolves (the archive has: ${have:-nothing})" >&2
        bad=$((bad + 1))
    fi
done
if [ "$bad" -gt 0 ]; then
    echo "check-pins.sh: $bad of $n pins do not resolve: update docker/packages.txt" >&2
    exit 1
fi
echo "check-pins.sh: all $n pins resolve"
