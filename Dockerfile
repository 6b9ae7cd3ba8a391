# Airbyte source connector for the DigitalOcean API v2.
#
#   docker build --platform linux/amd64 --build-arg REVISION="$(git rev-parse HEAD)" -t airbyte/source-digitalocean:0.1.0 .
#   docker run --rm airbyte/source-digitalocean:0.1.0 spec
#
# Stages: `build` compiles TypeScript with the dev dependencies, `deps` installs the production
# dependencies alone and writes their SBOM, `runtime` puts only those, the SBOM, the compiled code, the
# schemas, spec.json and package.json on the base without npm, yarn or corepack (a shell stays: Airbyte's
# Kubernetes launcher runs AIRBYTE_ENTRYPOINT through one), and the image is that file system, squashed.
#
# The base: Node.js 24 LTS on Debian trixie slim, pinned by digest (the multi-platform index). To move to
# the newest build of the tag, replace BASE_DIGEST with what this prints:
#   skopeo inspect --raw docker://docker.io/library/node:24-trixie-slim | sha256sum | sed 's/^/sha256:/; s/ .*//'
# (or the "Digest:" line of: docker buildx imagetools inspect docker.io/library/node:24-trixie-slim).
# The digest below was not read from the registry by this project's machines, which reach none: it is
# the one two public Dockerfiles pinned in 2026; refresh it before a release. scripts/test-image.sh builds
# on a stand-in base made locally and passes that base's digest as BASE_DIGEST.
ARG BASE_NAME=docker.io/library/node:24-trixie-slim
ARG BASE_DIGEST=sha256:8ec5d7557396cfe32d21c3f9c13072355ceab22b584578ca4bb28af31120cffe

FROM ${BASE_NAME}@${BASE_DIGEST} AS build
# For builders that reach the npm registry through a TLS-inspecting proxy: the path of a CA bundle
# mounted into the build (scripts/test-image.sh does this with buildah). Unset, it changes nothing.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json spec.json ./
COPY src ./src
RUN npm run build

FROM ${BASE_NAME}@${BASE_DIGEST} AS deps
ARG NODE_EXTRA_CA_CERTS
# npm names the SBOM's root component after this directory.
WORKDIR /source-digitalocean
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# CycloneDX SBOM of exactly what the image ships. Made here, where the dev dependencies are absent
# (this stage's package.json is not shipped, so they are deleted from it): with them installed,
# `npm sbom --omit=dev` leaves out production packages (npm/cli issue 7909); declared but absent, npm
# refuses. `npm run sbom` (scripts/sbom.sh) makes the same document on a workstation.
RUN npm pkg delete devDependencies && npm sbom --omit=dev --sbom-format cyclonedx --sbom-type application >sbom.cdx.json

# The runtime's file system, assembled on the base. Package managers are never used at run time: npm,
# yarn and corepack are removed, with their links, so that nothing in the image runs them and no
# scanner reports them. The connector runs as `airbyte` (uid/gid 1000, the ids Airbyte's launchers use)
# instead of the base image's `node` user, which holds those ids and is removed. /airbyte is its
# writable working directory; the code under /airbyte/integration_code stays owned by root.
FROM ${BASE_NAME}@${BASE_DIGEST} AS runtime
RUN set -eu; \
    rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg; \
    if getent passwd node >/dev/null; then userdel node; fi; \
    if getent group node >/dev/null; then groupdel node; fi; \
    groupadd --gid 1000 airbyte; \
    useradd --uid 1000 --gid airbyte --home-dir /airbyte --no-create-home --shell /bin/sh airbyte; \
    mkdir -p /airbyte/integration_code; \
    chown airbyte:airbyte /airbyte; \
    chmod 0775 /airbyte
WORKDIR /airbyte
COPY --from=deps /source-digitalocean/node_modules /airbyte/integration_code/node_modules
COPY --from=deps /source-digitalocean/sbom.cdx.json /airbyte/integration_code/sbom.cdx.json
COPY --from=build /build/dist/src /airbyte/integration_code/dist/src
COPY package.json spec.json /airbyte/integration_code/
COPY schemas /airbyte/integration_code/schemas

# The image: that file system as one layer. A removal in a layer above the base would only hide the
# package managers (they would still be pulled, and read by any tool that looks at each layer); copied
# whole, they are gone. Ownership and modes come along as they are (COPY --from keeps them).
FROM scratch
ARG BASE_NAME
ARG BASE_DIGEST
# The commit the image is built from (scripts/test-image.sh passes `git rev-parse HEAD`), and where
# its source can be read: both vary with the build, so they are arguments.
ARG REVISION=unknown
ARG SOURCE_URL=unknown
COPY --from=runtime / /
# The base image's PATH (a scratch image has none).
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /airbyte
ENV NODE_ENV=production
# Airbyte's Kubernetes launcher runs `eval "$AIRBYTE_ENTRYPOINT <args>"`: keep it equal to ENTRYPOINT.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["/usr/local/bin/node", "/airbyte/integration_code/dist/src/main.js"]
USER airbyte
LABEL io.airbyte.name=airbyte/source-digitalocean
LABEL io.airbyte.version=0.1.0
# OCI annotations (https://github.com/opencontainers/image-spec/blob/main/annotations.md): what a
# security team reads with `docker image inspect`; docs/source-digitalocean.md shows how to check them.
LABEL org.opencontainers.image.title=source-digitalocean \
      org.opencontainers.image.description="Airbyte-protocol source for the DigitalOcean API v2: a bronze layer for security posture." \
      org.opencontainers.image.version=0.1.0 \
      org.opencontainers.image.licenses=MIT \
      org.opencontainers.image.revision=${REVISION} \
      org.opencontainers.image.source=${SOURCE_URL} \
      org.opencontainers.image.base.name=${BASE_NAME} \
      org.opencontainers.image.base.digest=${BASE_DIGEST} \
      io.source-digitalocean.sbom=/airbyte/integration_code/sbom.cdx.json
