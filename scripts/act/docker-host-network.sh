#!/bin/sh
# docker, with --network host on `run` and `build` (see docker-runner.Dockerfile)
case ${1:-} in
  run|build) cmd=$1; shift; exec /usr/bin/docker "$cmd" --network host "$@" ;;
  *) exec /usr/bin/docker "$@" ;;
esac
