#!/usr/bin/env bash
# Builds the connector's Docker image from the unchanged Dockerfile and runs spec, check, discover and
# read in it against the fake DigitalOcean API, validating every output line against the Airbyte
# protocol schema. Exits non-zero on any failure. `npm run test:image`.
#
# Works without a Docker engine: buildah builds the image, podman (with runc) runs it. Missing tools
# are installed with apt-get. When no registry can serve `node:20-bookworm-slim`, a stand-in base is
# made once per machine (debootstrap minbase bookworm + this machine's node 20) and tagged with that
# name, so the Dockerfile is built exactly as written, with --pull=never.
#
# On a machine that cannot build or run containers this FAILS; it never skips.
#
# Environment:
#   IMAGE                 tag to build (default localhost/source-digitalocean:test)
#   DEBIAN_MIRROR         for debootstrap (default http://deb.debian.org/debian)
#   REBUILD_BASE=1        rebuild the stand-in base image even if present
#   KEEP_WORKDIR=1        keep the temporary directory with every command's output
set -euo pipefail

# The whole script is one compound command: bash parses it completely before running it, so editing
# this file while it runs cannot change what the running instance does.
{
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

IMAGE=${IMAGE:-localhost/source-digitalocean:test}
BASE_IMAGE=docker.io/library/node:20-bookworm-slim
BASE_MARK=org.source-digitalocean.stand-in-base
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# Flags every container run needs on these machines (crun fails on this cgroup setup).
PODMAN=(podman --runtime runc)
# SOURCE_DIGITALOCEAN_TIME_SCALE compresses the connector's own pacing (240 requests per minute) so that
# a read of every stream never waits out a minute; the fake API runs without rate limits.
RUN_FLAGS=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e SOURCE_DIGITALOCEAN_TIME_SCALE=0.1)

START=$SECONDS
PHASE_START=$SECONDS
TIMINGS=()
WORK=$(mktemp -d /tmp/source-do-image-test.XXXXXX)
FAKE_API_PID=
CONTAINERS=()
OLD_BASE=

log() { printf '[test-image %3ss] %s\n' "$((SECONDS - START))" "$*"; }
die() {
  printf '\n[test-image] FAILED: %s\n' "$*" >&2
  exit 1
}
phase_done() {
  TIMINGS+=("$(printf '%-26s %4ss' "$1" "$((SECONDS - PHASE_START))")")
  PHASE_START=$SECONDS
}

cleanup() {
  local status=$?
  if [ -n "$FAKE_API_PID" ] && kill -0 "$FAKE_API_PID" 2>/dev/null; then kill "$FAKE_API_PID" 2>/dev/null || true; fi
  for name in "${CONTAINERS[@]}"; do podman rm --force --ignore "$name" >/dev/null 2>&1 || true; done
  if [ "${KEEP_WORKDIR:-}" = 1 ] || [ "$status" -ne 0 ]; then
    printf '[test-image] outputs kept in %s\n' "$WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------
# 1. Tools
# ---------------------------------------------------------------------------------------------------
missing=()
for tool in buildah podman runc debootstrap; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  command -v apt-get >/dev/null || die "no apt-get to install ${missing[*]}: install buildah, podman, runc and debootstrap by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
  apt-get install -y -qq buildah podman runc debootstrap >>"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed"; }
fi
[ "$(id -u)" = 0 ] || die "run as root: the stand-in base image and rootful podman need it"
phase_done "tools"

# ---------------------------------------------------------------------------------------------------
# 2. The connector on the host (the fake API runs from here; its output validator too)
# ---------------------------------------------------------------------------------------------------
[ -d node_modules ] || { log "npm ci"; npm ci --no-audit --no-fund >"$WORK/npm-ci.log" 2>&1 || { tail -n 30 "$WORK/npm-ci.log" >&2; die "npm ci failed"; }; }
log "npm run build"
npm run build >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "npm run build failed"; }
[ -f dist/fake-api/main.js ] || die "dist/fake-api/main.js is missing after the build: the fake DigitalOcean API is needed"
phase_done "host build"

# ---------------------------------------------------------------------------------------------------
# 3. Base image: the real one if present, else a stand-in made once per machine
# ---------------------------------------------------------------------------------------------------
build_stand_in_base() {
  local node_bin node_version npm_dir rootfs
  node_bin=$(readlink -f "$(command -v node)")
  node_version=$("$node_bin" --version)
  case "$node_version" in v20.*) ;; *) die "the stand-in base needs this machine's node to be 20.x, found $node_version" ;; esac
  npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  [ -f "$npm_dir/package.json" ] || die "cannot find npm's directory (looked at $npm_dir)"

  rootfs="$WORK/rootfs"
  log "debootstrap --variant=minbase bookworm ($DEBIAN_MIRROR), then node $node_version from this machine"
  debootstrap --variant=minbase bookworm "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  # The layout of the official image: node and npm under /usr/local, a `node` user with uid/gid 1000.
  install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
  mkdir -p "$rootfs/usr/local/lib/node_modules"
  cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
  chroot "$rootfs" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  chroot "$rootfs" /usr/local/bin/node --version >/dev/null || die "the copied node does not run inside the stand-in rootfs"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/tmp/*

  OLD_BASE=$(podman image inspect --format "{{.Id}} {{index .Labels \"$BASE_MARK\"}}" "$BASE_IMAGE" 2>/dev/null | awk 'NF == 2 { print $1 }' || true)
  tar --numeric-owner -C "$rootfs" -cf - . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=${node_version#v}" \
    --change "LABEL $BASE_MARK=$node_version" \
    --change 'CMD ["node"]' \
    - "$BASE_IMAGE" >/dev/null 2>"$WORK/import.log" || { cat "$WORK/import.log" >&2; die "podman import of the stand-in base failed"; }
  rm -rf "$rootfs"
}

if [ "${REBUILD_BASE:-}" = 1 ] || ! podman image exists "$BASE_IMAGE"; then
  build_stand_in_base
  log "stand-in $BASE_IMAGE built"
else
  log "base $BASE_IMAGE present ($(podman image inspect --format "{{index .Labels \"$BASE_MARK\"}}" "$BASE_IMAGE" | sed 's/^$/official/; s/^v/stand-in, node v/'))"
fi
phase_done "base image"

# ---------------------------------------------------------------------------------------------------
# 4. The image, from the Dockerfile as it is
# ---------------------------------------------------------------------------------------------------
build_args=()
if [ -f "$HOST_CA_BUNDLE" ]; then
  # npm inside the build reaches the registry like this machine does: with this machine's CA bundle.
  build_args+=(--volume "$HOST_CA_BUNDLE:/run/host-ca-bundle.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca-bundle.crt)
fi
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
log "buildah build -t $IMAGE"
# No layer cache: every run builds from scratch as a registry build would, and leaves no intermediate
# images behind (the stages are discarded; only the tagged image and the base stay).
buildah build --pull=never --isolation chroot --layers=false "${build_args[@]}" \
  -t "$IMAGE" -f Dockerfile . >"$WORK/image-build.log" 2>&1 \
  || { tail -n 40 "$WORK/image-build.log" >&2; die "the image build failed"; }
if [ -n "$previous" ] && [ "$previous" != "$(podman image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  podman rmi "$previous" >/dev/null 2>&1 || true # the previous run's image, now untagged
fi
# A stand-in base replaced by REBUILD_BASE=1 is untagged now that no image uses it (never an official one).
if [ -n "$OLD_BASE" ]; then podman rmi "$OLD_BASE" >/dev/null 2>&1 || true; fi
phase_done "image build"

# ---------------------------------------------------------------------------------------------------
# 5. What the image declares
# ---------------------------------------------------------------------------------------------------
inspect() { podman image inspect --format "$1" "$IMAGE"; }
pkg_version=$(node -p 'require("./package.json").version')
meta_field() { sed -nE "s/^[[:space:]]+$1:[[:space:]]*\"?([^\"#]*[^\"#[:space:]])\"?.*$/\\1/p" metadata.yaml | head -n 1; }
meta_repo=$(meta_field dockerRepository)
meta_tag=$(meta_field dockerImageTag)
[ -n "$meta_repo" ] && [ -n "$meta_tag" ] || die "metadata.yaml lacks dockerRepository or dockerImageTag"

user=$(inspect '{{.Config.User}}')
label_name=$(inspect '{{index .Config.Labels "io.airbyte.name"}}')
label_version=$(inspect '{{index .Config.Labels "io.airbyte.version"}}')
entrypoint=$(inspect '{{join .Config.Entrypoint " "}}')
airbyte_entrypoint=$(inspect '{{range .Config.Env}}{{println .}}{{end}}' | sed -n 's/^AIRBYTE_ENTRYPOINT=//p')
workdir=$(inspect '{{.Config.WorkingDir}}')
arch=$(inspect '{{.Architecture}}')
[ "$user" = airbyte ] || die "image user is '$user', expected airbyte"
[ "$label_name" = "$meta_repo" ] || die "io.airbyte.name is '$label_name', metadata.yaml says '$meta_repo'"
[ "$label_version" = "$meta_tag" ] || die "io.airbyte.version is '$label_version', metadata.yaml says '$meta_tag'"
[ "$label_version" = "$pkg_version" ] || die "io.airbyte.version is '$label_version', package.json says '$pkg_version'"
[ -n "$entrypoint" ] && [ "$airbyte_entrypoint" = "$entrypoint" ] || die "AIRBYTE_ENTRYPOINT '$airbyte_entrypoint' differs from ENTRYPOINT '$entrypoint'"
case "$entrypoint" in *" /"*) ;; *) die "ENTRYPOINT '$entrypoint' does not name the script by an absolute path" ;; esac
[ "$workdir" = /airbyte ] || die "WORKDIR is '$workdir', expected /airbyte"
[ "$arch" = amd64 ] || die "architecture is '$arch', expected amd64"
log "image: user=$user name=$label_name version=$label_version AIRBYTE_ENTRYPOINT='$airbyte_entrypoint'"

# ---------------------------------------------------------------------------------------------------
# 6. Commands in the image
# ---------------------------------------------------------------------------------------------------
chmod 0755 "$WORK"
# run NAME EXPECTED_EXIT [podman run options --] ARGS... : stdout → $WORK/NAME.out, stderr → NAME.err.
# No --rm: the exit code comes from the container's own record and must agree with podman's.
run() {
  local name=$1 expected=$2 cname rc recorded
  shift 2
  local opts=()
  if [[ " $* " == *" -- "* ]]; then
    while [ "$1" != -- ]; do opts+=("$1"); shift; done
    shift
  fi
  cname="source-do-test-$$-$name"
  CONTAINERS+=("$cname")
  set +e
  "${PODMAN[@]}" run --name "$cname" "${RUN_FLAGS[@]}" -v "$WORK/in:/data:ro" "${opts[@]}" "$IMAGE" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  set -e
  recorded=$(podman container inspect --format '{{.State.ExitCode}}' "$cname" 2>/dev/null) || {
    cat "$WORK/$name.err" >&2
    die "$name: the container was not created (podman run exited $rc): can this machine run containers?"
  }
  podman rm "$cname" >/dev/null
  [ "$rc" = "$recorded" ] || die "$name: podman run exited $rc but the container recorded $recorded"
  if [ "$rc" != "$expected" ]; then
    sed 's/^/    stderr: /' "$WORK/$name.err" | tail -n 20 >&2
    head -c 2000 "$WORK/$name.out" | sed 's/^/    stdout: /' >&2
    die "$name exited $rc, expected $expected"
  fi
}
validate() {
  if ! node scripts/validate-protocol-lines.mjs "$@" | sed 's/^/    /'; then die "protocol check failed for ${*: -1}"; fi
}

mkdir -p "$WORK/in"
cp integration_tests/configured_catalog.json "$WORK/in/catalog.json"

log "starting the fake DigitalOcean API on 127.0.0.1"
node dist/fake-api/main.js --port 0 --seed 42 --scale 5 --no-rate-limits >"$WORK/fake-api.out" 2>"$WORK/fake-api.err" &
FAKE_API_PID=$!
api_url=
for _ in $(seq 1 100); do
  api_url=$(node -e 'const l=require("fs").readFileSync(process.argv[1],"utf8").split("\n").find(x=>x.includes("\"url\""));if(l)process.stdout.write(JSON.parse(l).url)' "$WORK/fake-api.out" 2>/dev/null || true)
  [ -n "$api_url" ] && break
  kill -0 "$FAKE_API_PID" 2>/dev/null || { cat "$WORK/fake-api.err" >&2; die "the fake API exited before listening"; }
  sleep 0.1
done
[ -n "$api_url" ] || die "the fake API did not print its URL within 10 s"
token=$(node -e 'const c=JSON.parse(require("fs").readFileSync("integration_tests/sample_config.json","utf8"));process.stdout.write(c.api_token)')
node -e '
  const [url, token, out] = process.argv.slice(1);
  require("fs").writeFileSync(out + "/config.json", JSON.stringify({ api_token: token, api_url: url }));
  require("fs").writeFileSync(out + "/invalid_config.json", JSON.stringify({ api_token: "dop_v1_rejected", api_url: url }));
' "$api_url" "$token" "$WORK/in"
chmod 0644 "$WORK"/in/*
chmod 0755 "$WORK/in"
log "fake API at $api_url"
phase_done "setup"

log "spec"
run spec 0 spec
validate --command spec "$WORK/spec.out"
log "--version"
run version 0 --version
[ "$(cat "$WORK/version.out")" = "$pkg_version" ] || die "--version printed '$(cat "$WORK/version.out")', expected $pkg_version"
log "spec through \$AIRBYTE_ENTRYPOINT under /bin/sh (as Airbyte's Kubernetes launcher runs it)"
run launcher 0 --entrypoint /bin/sh -- -c 'eval "$AIRBYTE_ENTRYPOINT spec"'
validate --command spec "$WORK/launcher.out"
log "runtime user, writable /airbyte, no dev dependencies or sources in the image"
run layout 0 --entrypoint /bin/sh -- -c '
  set -e
  test "$(id -un)" = airbyte
  touch /airbyte/.write-probe && rm /airbyte/.write-probe
  if touch /airbyte/integration_code/.probe 2>/dev/null; then echo "the code is writable by airbyte"; exit 1; fi
  test -f /airbyte/integration_code/dist/src/main.js
  test -f /airbyte/integration_code/spec.json && test -d /airbyte/integration_code/schemas
  for dev in typescript tap nock @faker-js; do test ! -e "/airbyte/integration_code/node_modules/$dev"; done
  test ! -e /airbyte/integration_code/src && test ! -e /airbyte/integration_code/test
  echo ok'
phase_done "spec / layout"

log "check (valid token)"
run check 0 check --config /data/config.json
validate --command check --status SUCCEEDED "$WORK/check.out"
log "check (rejected token)"
run check-invalid 0 check --config /data/invalid_config.json
validate --command check --status FAILED "$WORK/check-invalid.out"
log "discover"
run discover 0 discover --config /data/config.json
validate --command discover "$WORK/discover.out"
phase_done "check / discover"

log "read (every stream, no state)"
run read 0 read --config /data/config.json --catalog /data/catalog.json
validate --command read --catalog "$WORK/in/catalog.json" --discovered "$WORK/discover.out" --state-out "$WORK/state.json" "$WORK/read.out"
cp "$WORK/state.json" "$WORK/in/state.json"
chmod 0644 "$WORK/in/state.json"
log "read again with the states of the first read (mounted --state)"
run read-state 0 read --config /data/config.json --catalog /data/catalog.json --state /data/state.json
validate --command read --catalog "$WORK/in/catalog.json" --discovered "$WORK/discover.out" "$WORK/read-state.out"
phase_done "read"

# ---------------------------------------------------------------------------------------------------
# 7. Report
# ---------------------------------------------------------------------------------------------------
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
base_kind=$(podman image inspect --format "{{index .Labels \"$BASE_MARK\"}}" "$BASE_IMAGE")
echo
echo "image $IMAGE: $(mib "$size") ($size bytes); base $BASE_IMAGE ${base_kind:+(stand-in) }$(mib "$base_size"); connector layers $(mib $((size - base_size)))"
printf '  %s\n' "${TIMINGS[@]}"
echo "test-image: PASSED in $((SECONDS - START)) s"
exit 0
}
