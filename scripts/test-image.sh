#!/usr/bin/env bash
# Builds the connector's Docker image from the unchanged Dockerfile, checks what it declares (labels,
# OCI provenance, the SBOM against `npm ls`) and what it lacks (npm, yarn, corepack), and runs spec,
# check, discover and read in it against the fake DigitalOcean API with a read-only root filesystem and
# every capability dropped, validating every output line against the Airbyte protocol schema. Then it
# runs the user docs' `docker run` section as written (docs/source-digitalocean.md), and proves the
# Meltano limit and its fix: tap-airbyte-wrapper's `docker run`, run by a user other than uid 1000,
# fails to read its 0700 config directory, and succeeds with scripts/meltano-docker-shim.sh.
# Exits non-zero on any failure. `npm run test:image`.
#
# Works without a Docker engine: buildah builds the image, podman (with runc) runs it. Missing tools
# are installed with apt-get. The Dockerfile pins its base by digest (BASE_NAME@BASE_DIGEST). When no
# registry can serve it, a stand-in base is made once per machine (debootstrap minbase trixie + this
# machine's node 24, first on PATH: .ci/run puts it there) and tagged with BASE_NAME; the Dockerfile is
# then built as written, with --pull=never and BASE_DIGEST set to the stand-in's own digest, which the
# image's org.opencontainers.image.base.digest label then records truthfully.
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
# The base, as the Dockerfile names it (one place to refresh it).
dockerfile_arg() { sed -nE "s/^ARG $1=(.+)$/\1/p" Dockerfile | head -n 1; }
BASE_IMAGE=$(dockerfile_arg BASE_NAME)
PINNED_DIGEST=$(dockerfile_arg BASE_DIGEST)
[ -n "$BASE_IMAGE" ] && [[ "$PINNED_DIGEST" =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "the Dockerfile lacks ARG BASE_NAME or a sha256 ARG BASE_DIGEST" >&2; exit 1; }
BASE_NODE_MAJOR=$(sed -nE 's/^.*node:([0-9]+)-.*$/\1/p' <<<"$BASE_IMAGE")
BASE_SUITE=$(sed -nE 's/^.*node:[0-9]+-([a-z]+)-slim$/\1/p' <<<"$BASE_IMAGE")
BASE_MARK=org.source-digitalocean.stand-in-base
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# Flags every container run needs on these machines (crun fails on this cgroup setup).
PODMAN=(podman --runtime runc)
# SOURCE_DIGITALOCEAN_TIME_SCALE compresses the connector's own pacing (240 requests per minute) so that
# a read of every stream never waits out a minute; the fake API runs without rate limits.
RUN_FLAGS=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e SOURCE_DIGITALOCEAN_TIME_SCALE=0.1)
# The connector's commands run as a hardened deployment would run them: nothing writable but a tmpfs
# /tmp, no capability at all. (The layout probe runs without them: it proves /airbyte writable.)
HARDENED=(--read-only --cap-drop ALL --security-opt no-new-privileges)

START=$SECONDS
PHASE_START=$SECONDS
TIMINGS=()
WORK=$(mktemp -d /tmp/source-do-image-test.XXXXXX)
FAKE_API_PID=
SERVICE_PID=
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
  if [ -n "$SERVICE_PID" ] && kill -0 "$SERVICE_PID" 2>/dev/null; then kill "$SERVICE_PID" 2>/dev/null || true; fi
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
for tool in buildah podman runc debootstrap jq setpriv; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  command -v apt-get >/dev/null || die "no apt-get to install ${missing[*]}: install buildah, podman, runc and debootstrap by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; die "apt-get update failed"; }
  apt-get install -y -qq buildah podman runc debootstrap jq util-linux >>"$WORK/apt.log" 2>&1 || { tail -n 30 "$WORK/apt.log" >&2; die "apt-get install failed"; }
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
  case "$node_version" in "v$BASE_NODE_MAJOR".*) ;; *) die "the stand-in base needs node $BASE_NODE_MAJOR.x first on PATH (see .ci/run), found $node_version" ;; esac
  npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
  [ -f "$npm_dir/package.json" ] || die "cannot find npm's directory (looked at $npm_dir)"

  rootfs="$WORK/rootfs"
  [ -n "$BASE_SUITE" ] || die "cannot read the Debian suite from the base name $BASE_IMAGE"
  log "debootstrap --variant=minbase $BASE_SUITE ($DEBIAN_MIRROR), then node $node_version from this machine"
  debootstrap --variant=minbase "$BASE_SUITE" "$rootfs" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 \
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
# The pinned digest when the official base is present; a stand-in's own digest otherwise (the build
# then resolves BASE_NAME@digest locally, and the label says which base was really used).
base_digest=$(podman image inspect --format '{{.Digest}}' "$BASE_IMAGE")
base_kind=$(podman image inspect --format "{{index .Labels \"$BASE_MARK\"}}" "$BASE_IMAGE")
if [ -z "$base_kind" ] && [ "$base_digest" != "$PINNED_DIGEST" ]; then
  log "warning: $BASE_IMAGE here is $base_digest, the Dockerfile pins $PINNED_DIGEST"
fi
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
source_url=${SOURCE_URL:-$(git config --get remote.origin.url 2>/dev/null || echo unknown)}
build_args+=(--build-arg "BASE_DIGEST=$base_digest" --build-arg "REVISION=$revision" --build-arg "SOURCE_URL=$source_url")
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
log "buildah build --platform linux/amd64 -t $IMAGE"
# No layer cache: every run builds from scratch as a registry build would, and leaves no intermediate
# images behind (the stages are discarded; only the tagged image and the base stay).
buildah build --platform linux/amd64 --pull=never --isolation chroot --layers=false "${build_args[@]}" \
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

# OCI provenance: each label present and equal to what it must say.
oci() { inspect "{{index .Config.Labels \"org.opencontainers.image.$1\"}}"; }
pkg_field() { node -p "require('./package.json').$1"; }
[ "$(oci version)" = "$pkg_version" ] || die "org.opencontainers.image.version is '$(oci version)', package.json says '$pkg_version'"
[ "$(oci licenses)" = "$(pkg_field license)" ] || die "org.opencontainers.image.licenses is '$(oci licenses)', package.json says '$(pkg_field license)'"
[ "$(oci description)" = "$(pkg_field description)" ] || die "org.opencontainers.image.description differs from package.json's"
[ "$(oci revision)" = "$revision" ] || die "org.opencontainers.image.revision is '$(oci revision)', expected this commit $revision"
[ "$(oci source)" = "$source_url" ] || die "org.opencontainers.image.source is '$(oci source)', expected '$source_url'"
[ "$(oci base.name)" = "$BASE_IMAGE" ] || die "org.opencontainers.image.base.name is '$(oci base.name)', the Dockerfile says $BASE_IMAGE"
[ "$(oci base.digest)" = "$base_digest" ] || die "org.opencontainers.image.base.digest is '$(oci base.digest)', the base built from is $base_digest"
log "labels: revision=$(oci revision) base=$(oci base.name)@$(oci base.digest)${base_kind:+ (stand-in)}"
# One layer: the runtime file system copied whole, so no layer below it still holds npm, yarn or corepack.
[ "$(inspect '{{len .RootFS.Layers}}')" = 1 ] || die "the image has $(inspect '{{len .RootFS.Layers}}') layers, expected 1 (the squashed runtime stage)"

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

log "spec (read-only root, no capabilities: so are all the connector's commands below)"
run spec 0 "${HARDENED[@]}" -- spec
validate --command spec "$WORK/spec.out"
log "--version"
run version 0 "${HARDENED[@]}" -- --version
[ "$(cat "$WORK/version.out")" = "$pkg_version" ] || die "--version printed '$(cat "$WORK/version.out")', expected $pkg_version"
log "spec through \$AIRBYTE_ENTRYPOINT under /bin/sh (as Airbyte's Kubernetes launcher runs it)"
run launcher 0 "${HARDENED[@]}" --entrypoint /bin/sh -- -c 'eval "$AIRBYTE_ENTRYPOINT spec"'
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
  for tool in npm npx yarn yarnpkg corepack; do if command -v "$tool" >/dev/null; then echo "$tool is in the image"; exit 1; fi; done
  test ! -e /usr/local/lib/node_modules/npm && test ! -e /usr/local/lib/node_modules/corepack
  if ls -d /opt/yarn* >/dev/null 2>&1; then echo "yarn is in the image"; exit 1; fi
  test -x /bin/sh && test -s /airbyte/integration_code/sbom.cdx.json
  echo ok'
log "hardened: the root filesystem is read-only and the process holds no capability"
run hardened 0 "${HARDENED[@]}" --entrypoint /bin/sh -- -c '
  set -e
  if touch /airbyte/.probe 2>/dev/null || touch /usr/.probe 2>/dev/null; then echo "the root filesystem is writable"; exit 1; fi
  grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):[[:space:]]+0+$" /proc/self/status | wc -l | grep -qx 5 || { grep ^Cap /proc/self/status; exit 1; }
  echo ok'
log "SBOM: /airbyte/integration_code/sbom.cdx.json lists every production package (npm ls --omit=dev)"
podman run --runtime runc --rm --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --entrypoint /bin/cat "$IMAGE" /airbyte/integration_code/sbom.cdx.json >"$WORK/sbom.cdx.json" \
  || die "cannot read the SBOM from the image"
npm ls --omit=dev --all --json >"$WORK/npm-ls.json" 2>/dev/null || die "npm ls --omit=dev failed on this checkout"
sbom_report=$(node dist/scripts/sbom-check.js "$WORK/sbom.cdx.json" "$WORK/npm-ls.json") || die "SBOM check: $sbom_report"
log "SBOM: $sbom_report"

phase_done "spec / layout"

log "check (valid token)"
run check 0 "${HARDENED[@]}" -- check --config /data/config.json
validate --command check --status SUCCEEDED "$WORK/check.out"
log "check (rejected token)"
run check-invalid 0 "${HARDENED[@]}" -- check --config /data/invalid_config.json
validate --command check --status FAILED "$WORK/check-invalid.out"
log "discover"
run discover 0 "${HARDENED[@]}" -- discover --config /data/config.json
validate --command discover "$WORK/discover.out"
phase_done "check / discover"

log "read (every stream, no state)"
run read 0 "${HARDENED[@]}" -- read --config /data/config.json --catalog /data/catalog.json
validate --command read --catalog "$WORK/in/catalog.json" --discovered "$WORK/discover.out" --state-out "$WORK/state.json" "$WORK/read.out"
cp "$WORK/state.json" "$WORK/in/state.json"
chmod 0644 "$WORK/in/state.json"
log "read again with the states of the first read (mounted --state)"
run read-state 0 "${HARDENED[@]}" -- read --config /data/config.json --catalog /data/catalog.json --state /data/state.json
validate --command read --catalog "$WORK/in/catalog.json" --discovered "$WORK/discover.out" "$WORK/read-state.out"
phase_done "read"

# ---------------------------------------------------------------------------------------------------
# 7. The user docs, as written: the `docker run` section, and Meltano's tap-airbyte-wrapper as a user
#    other than uid 1000, with and without scripts/meltano-docker-shim.sh
# ---------------------------------------------------------------------------------------------------
# Like Docker, a root engine behind an API socket (podman's), and a `docker` client any user can run
# (podman --remote). containers.conf gives every container what the flags above give `run`, so the
# docs' and the wrapper's `docker run` commands need no extra flag here.
cat >"$WORK/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "host"
env = ["SOURCE_DIGITALOCEAN_TIME_SCALE=0.1"]
[engine]
runtime = "runc"
CONF
SOCKET="$WORK/podman.sock"
CONTAINERS_CONF="$WORK/containers.conf" podman system service --time=0 "unix://$SOCKET" >"$WORK/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 100); do [ -S "$SOCKET" ] && break; sleep 0.1; done
[ -S "$SOCKET" ] || { cat "$WORK/service.log" >&2; die "podman system service did not open $SOCKET"; }
chmod 0666 "$SOCKET" # any local user may start containers, as members of the docker group may
mkdir -p "$WORK/client-bin"
# `docker build` stands for the image built in step 4 (same Dockerfile, same --platform): the docs'
# build line is checked here and by test/docs.test.ts, the image is tagged with the name it gives.
cat >"$WORK/client-bin/docker" <<CLIENT
#!/bin/sh
if [ "\${1:-}" = build ]; then
  case " \$* " in *" --platform linux/amd64 "*) ;; *) echo "docker build without --platform linux/amd64" >&2; exit 1 ;; esac
  tag=\$(printf '%s\\n' "\$@" | sed -n '/^-t\$/{n;p;}')
  [ -n "\$tag" ] || { echo "docker build without -t" >&2; exit 1; }
  exec podman --remote --url "unix://$SOCKET" tag "$IMAGE" "\$tag"
fi
exec podman --remote --url "unix://$SOCKET" "\$@"
CLIENT
chmod 0755 "$WORK/client-bin/docker"

log "docs: the \`docker run\` section of docs/source-digitalocean.md, as written (token and api_url filled in)"
docs_dir="$WORK/docs-run"
mkdir -p "$docs_dir"
node dist/scripts/doc-blocks.js docs/source-digitalocean.md '`docker run`' bash >"$WORK/docs-docker-run.sh"
# The one line a user edits: the config with their token; here the fake API's token and URL.
config_line=$(node -e 'process.stdout.write(JSON.stringify(JSON.parse(require("fs").readFileSync(process.argv[1] + "/config.json", "utf8"))))' "$WORK/in")
grep -q '^{ "api_token": "dop_v1_REPLACE_WITH_YOUR_TOKEN" }$' "$WORK/docs-docker-run.sh" || die "the docs' docker run block no longer has the config line this test fills in"
sed -i "s|^{ \"api_token\": \"dop_v1_REPLACE_WITH_YOUR_TOKEN\" }\$|$config_line|" "$WORK/docs-docker-run.sh"
(cd "$docs_dir" && PATH="$WORK/client-bin:$PATH" bash -euo pipefail "$WORK/docs-docker-run.sh" >"$WORK/docs-run.out" 2>"$WORK/docs-run.err") \
  || { tail -n 20 "$WORK/docs-run.err" >&2; die "the docs' docker run section failed"; }
grep -q '"type":"SPEC"' "$WORK/docs-run.out" || die "docs: docker run spec printed no SPEC"
grep -q '"status":"SUCCEEDED"' "$WORK/docs-run.out" || die "docs: docker run check did not succeed"
validate --command discover "$docs_dir/discover.jsonl"
discovered=$(jq -s '[.[] | select(.type == "CATALOG") | .catalog.streams[]] | length' "$docs_dir/discover.jsonl")
configured=$(jq '.streams | length' "$docs_dir/catalog/configured_catalog.json")
[ "$configured" -gt 0 ] && [ "$configured" = "$discovered" ] || die "docs: the jq catalog has $configured streams, discover $discovered"
validate --command read --catalog "$docs_dir/catalog/configured_catalog.json" --discovered "$docs_dir/discover.jsonl" "$docs_dir/sync1.jsonl"
[ "$(jq 'length' "$docs_dir/state/state.json")" -gt 0 ] || die "docs: the jq state line kept no state"
validate --command read --catalog "$docs_dir/catalog/configured_catalog.json" --discovered "$docs_dir/discover.jsonl" "$docs_dir/sync2.jsonl"
log "docs: docker run section passed ($configured streams from discover, read twice)"
podman rmi "$(sed -n 's/^IMAGE=//p' "$WORK/docs-docker-run.sh")" >/dev/null 2>&1 || true # only that tag; the image stays

log "docs: the first block of \"Verify the image\" in docs/source-digitalocean.md, as written"
node dist/scripts/doc-blocks.js docs/source-digitalocean.md 'Verify the image' bash 'docker image inspect' >"$WORK/docs-verify.sh"
doc_image=$(sed -n 's/^IMAGE=//p' "$WORK/docs-verify.sh")
[ -n "$doc_image" ] || die "docs: the verify block sets no IMAGE"
podman tag "$IMAGE" "$doc_image"
mkdir -p "$WORK/docs-verify"
(cd "$WORK/docs-verify" && PATH="$WORK/client-bin:$PATH" bash -euo pipefail "$WORK/docs-verify.sh" >"$WORK/docs-verify.out" 2>"$WORK/docs-verify.err") \
  || { tail -n 20 "$WORK/docs-verify.err" >&2; die "the docs' verify block failed"; }
grep -q "\"org.opencontainers.image.revision\": \"$revision\"" "$WORK/docs-verify.out" || die "docs: the labels printed lack the revision $revision"
grep -q "\"org.opencontainers.image.base.digest\": \"$base_digest\"" "$WORK/docs-verify.out" || die "docs: the labels printed lack the base digest"
cmp -s "$WORK/docs-verify/sbom.cdx.json" "$WORK/sbom.cdx.json" || die "docs: the SBOM the verify block copied out differs from the image's"
listed=$(grep -cE '^[^ {}"]+@[0-9]' "$WORK/docs-verify.out" || true)
[ "$listed" = "$(jq '.components | length' "$WORK/sbom.cdx.json")" ] || die "docs: the verify block listed $listed packages, the SBOM has $(jq '.components | length' "$WORK/sbom.cdx.json")"
podman rmi "$doc_image" >/dev/null 2>&1 || true
log "docs: verify block passed (labels, image id, SBOM of $listed packages)"
phase_done "docs docker run"

# tap-airbyte-wrapper's check (MeltanoLabs/tap-airbyte-wrapper, tap_airbyte/tap.py, TapAirbyte.run_check):
# config.json in a TemporaryDirectory (mode 0700, owned by the user running Meltano), mounted at /tmp,
# then `docker run --rm -i -v <dir>:/tmp <image>:<tag> check --config /tmp/config.json`.
MELTANO_UID=4242
meltano_home="$WORK/meltano-home"
mkdir -p "$meltano_home/run" "$meltano_home/tmp"
chown -R "$MELTANO_UID:$MELTANO_UID" "$meltano_home"
chmod 0700 "$meltano_home/run"
cat >"$WORK/wrapper-check.sh" <<'WRAPPER'
set -eu
dir=$(mktemp -d)
printf '%s' "$CONFIG_JSON" >"$dir/config.json"
stat -c '%a %u' "$dir" >&2
docker run --rm -i -v "$dir:/tmp" "$CHECK_IMAGE" check --config /tmp/config.json </dev/null
rm -rf "$dir"
WRAPPER
chmod 0644 "$WORK/wrapper-check.sh"
# The shim, installed as the docs say (into this user's HOME).
as_meltano_user() {
  setpriv --reuid="$MELTANO_UID" --regid="$MELTANO_UID" --clear-groups \
    env -i HOME="$meltano_home" XDG_RUNTIME_DIR="$meltano_home/run" TMPDIR="$meltano_home/tmp" \
    PATH="$1:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" CONFIG_JSON="$config_line" CHECK_IMAGE="$IMAGE" \
    bash "$WORK/wrapper-check.sh"
}
log "meltano: the wrapper's docker run as uid $MELTANO_UID, no shim: the connector (uid 1000) cannot read its config"
as_meltano_user "$WORK/client-bin" >"$WORK/wrapper-noshim.out" 2>"$WORK/wrapper-noshim.err" || true
grep -q "^700 $MELTANO_UID\$" "$WORK/wrapper-noshim.err" || { cat "$WORK/wrapper-noshim.err" >&2; die "meltano: the temporary directory is not 0700 and owned by uid $MELTANO_UID"; }
grep -q "cannot be read (permission denied)" "$WORK/wrapper-noshim.out" \
  || { cat "$WORK/wrapper-noshim.out" "$WORK/wrapper-noshim.err" >&2; die "meltano: without the shim, expected 'cannot be read (permission denied)'"; }
log "meltano: the same with scripts/meltano-docker-shim.sh installed as docker (adds --user $MELTANO_UID:$MELTANO_UID)"
shim_block=$(node dist/scripts/doc-blocks.js docs/source-digitalocean.md Meltano bash 'meltano-docker-shim\.sh')
# The docs' install block, run by that user in their HOME (it copies the shim from the repository root).
cp scripts/meltano-docker-shim.sh "$meltano_home/meltano-docker-shim.sh"
mkdir -p "$meltano_home/scripts" && mv "$meltano_home/meltano-docker-shim.sh" "$meltano_home/scripts/"
chown -R "$MELTANO_UID:$MELTANO_UID" "$meltano_home/scripts"
(cd "$meltano_home" && setpriv --reuid="$MELTANO_UID" --regid="$MELTANO_UID" --clear-groups \
  env -i HOME="$meltano_home" PATH=/usr/bin:/bin bash -euo pipefail -c "$shim_block") || die "meltano: the docs' shim install block failed"
as_meltano_user "$meltano_home/.local/lib/docker-as-me:$WORK/client-bin" >"$WORK/wrapper-shim.out" 2>"$WORK/wrapper-shim.err" \
  || { cat "$WORK/wrapper-shim.err" >&2; die "meltano: the wrapper's docker run failed with the shim"; }
validate --command check --status SUCCEEDED "$WORK/wrapper-shim.out"
log "meltano: with the shim, check SUCCEEDED as uid $MELTANO_UID"
phase_done "meltano uid/shim"

# ---------------------------------------------------------------------------------------------------
# 8. Report
# ---------------------------------------------------------------------------------------------------
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
echo
layers=$(podman image inspect --format '{{len .RootFS.Layers}}' "$IMAGE")
echo "image $IMAGE: $(mib "$size") ($size bytes, $layers layer(s)); base $BASE_IMAGE ${base_kind:+(stand-in) }$(mib "$base_size"); image minus base $(mib $((size - base_size)))"
printf '  %s\n' "${TIMINGS[@]}"
echo "test-image: PASSED in $((SECONDS - START)) s"
exit 0
}
