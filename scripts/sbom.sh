#!/usr/bin/env bash
# `npm run sbom [-- OUT]`: the CycloneDX SBOM of the production dependencies, as the image ships it at
# /airbyte/integration_code/sbom.cdx.json (the Dockerfile's `deps` stage runs the same `npm sbom`).
# Written to OUT (default dist/sbom.cdx.json); the path is printed on stderr.
#
# Made in a temporary copy holding package.json and the lock file only, after `npm ci --omit=dev` and
# with the devDependencies deleted from that copy's package.json: with them installed, `npm sbom
# --omit=dev` leaves out production packages (npm/cli issue 7909); declared but not installed, it
# refuses to run (ESBOMPROBLEMS, "missing"). Needs the npm registry, or a warm npm cache
# (npm_config_prefer_offline=true).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$ROOT/dist/sbom.cdx.json}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
WORK=$(mktemp -d "${TMPDIR:-/tmp}/source-do-sbom.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# npm names the SBOM's root component after the directory.
mkdir "$WORK/source-digitalocean"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$WORK/source-digitalocean/"
cd "$WORK/source-digitalocean"
npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >"$WORK/npm-ci.log" 2>&1 || { cat "$WORK/npm-ci.log" >&2; exit 1; }
npm pkg delete devDependencies
mkdir -p "$(dirname "$OUT")"
npm sbom --omit=dev --sbom-format cyclonedx --sbom-type application >"$WORK/sbom.cdx.json"
mv "$WORK/sbom.cdx.json" "$OUT"
echo "SBOM (CycloneDX) of the production dependencies: $OUT" >&2
