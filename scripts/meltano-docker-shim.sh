#!/bin/sh
# A `docker` command for Meltano's tap-airbyte-wrapper: it runs every container as the calling user.
#
# Why: tap-airbyte-wrapper writes the connector's config into a temporary directory that only the user
# running Meltano can read (mode 0700), mounts it into the container, and starts the image, which runs
# as uid 1000 (`airbyte`). Unless Meltano itself runs as uid 1000, the connector cannot read its config.
# This shim adds `--user "$(id -u):$(id -g)"` to `docker run`, so the connector runs as the same user as
# Meltano and can read the directory. The connector writes no file (everything goes to stdout), so it
# needs no writable home in the image.
#
# Install: copy it as `docker` into a directory of its own and put that directory first on the PATH of
# the shell that runs Meltano:
#
#   mkdir -p ~/.local/lib/docker-as-me
#   install -m 0755 scripts/meltano-docker-shim.sh ~/.local/lib/docker-as-me/docker
#   export PATH="$HOME/.local/lib/docker-as-me:$PATH"
#
# The real client is the next `docker` on the PATH after this directory, or $REAL_DOCKER when set
# (a path, e.g. /usr/bin/podman). Every other docker command passes through unchanged.
set -eu

case $0 in */*) self_dir=$(cd "${0%/*}" && pwd -P) ;; *) self_dir= ;; esac
real=${REAL_DOCKER:-}
if [ -z "$real" ]; then
  rest=$PATH
  while [ -n "$rest" ]; do
    dir=${rest%%:*}
    case $rest in *:*) rest=${rest#*:} ;; *) rest= ;; esac
    [ -n "$dir" ] || continue
    [ "$(cd "$dir" 2>/dev/null && pwd -P)" = "$self_dir" ] && continue
    if [ -x "$dir/docker" ] && [ ! -d "$dir/docker" ]; then
      real=$dir/docker
      break
    fi
  done
fi
[ -n "$real" ] || { echo "meltano-docker-shim: no other docker on the PATH; set REAL_DOCKER" >&2; exit 127; }

if [ "${1:-}" = run ]; then
  shift
  exec "$real" run --user "$(id -u):$(id -g)" "$@"
fi
exec "$real" "$@"
