# The runner image scripts/act.sh gives the docker workflow's jobs under act.
# GitHub's ubuntu-24.04 runner has the docker client; a bare Debian image does
# not. The engine is the host's (act mounts its socket). The local engine of
# ../shared/tools/docker-local has no bridge network, so a `docker` wrapper
# adds --network host to `run` and `build` (on GitHub the default bridge
# reaches the archive): a stand-in for the runner, not for the workflow.
FROM debian:bookworm-slim
RUN apt-get update -qq && \
    apt-get install -y -qq --no-install-recommends docker.io git ca-certificates && \
    rm -rf /var/lib/apt/lists/*
COPY docker-host-network.sh /usr/local/bin/docker
