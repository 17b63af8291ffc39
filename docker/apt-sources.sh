#!/bin/sh
# Write the image's apt sources: bookworm, bookworm-updates and
# bookworm-security from deb.debian.org, or with a SNAPSHOT date
# (YYYYMMDDTHHMMSSZ) the same suites as snapshot.debian.org served them
# then, so the pinned versions of docker/packages.txt resolve for ever.
# usage: apt-sources.sh [SNAPSHOT] > /etc/apt/sources.list.d/debian.sources
set -eu
snapshot=${1:-}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -n "$snapshot" ]; then
    case $snapshot in
        [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) ;;
        *) echo "apt-sources.sh: SNAPSHOT '$snapshot' is not YYYYMMDDTHHMMSSZ" >&2; exit 2 ;;
    esac
    main=http://snapshot.debian.org/archive/debian/$snapshot
    security=http://snapshot.debian.org/archive/debian-security/$snapshot
    # a snapshot's Release files are past their Valid-Until date
    extra="Check-Valid-Until: no"
else
    main=http://deb.debian.org/debian
    security=http://deb.debian.org/debian-security
    extra=""
fi
printf '%s\n' "Types: deb" "URIs: $main" "Suites: bookworm bookworm-updates" \
    "Components: main" "Signed-By: $keyring" ${extra:+"$extra"} "" \
    "Types: deb" "URIs: $security" "Suites: bookworm-security" \
    "Components: main" "Signed-By: $keyring" ${extra:+"$extra"}
