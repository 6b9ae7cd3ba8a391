# Airbyte source connector for the DigitalOcean API v2.
#
#   docker build -t airbyte/source-digitalocean:0.1.0 .
#   docker run --rm airbyte/source-digitalocean:0.1.0 spec
#
# Three stages: `build` compiles TypeScript with the dev dependencies, `deps` installs the production
# dependencies alone, and the final image holds only those, the compiled code, the schemas, spec.json
# and package.json.

FROM node:20-bookworm-slim AS build
# For builders that reach the npm registry through a TLS-inspecting proxy: the path of a CA bundle
# mounted into the build (scripts/test-image.sh does this with buildah). Unset, it changes nothing.
ARG NODE_EXTRA_CA_CERTS
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json spec.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS deps
ARG NODE_EXTRA_CA_CERTS
WORKDIR /deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
# The connector runs as `airbyte` (uid/gid 1000, the ids Airbyte's launchers use) instead of the base
# image's `node` user, which holds those ids and is removed. /airbyte is its writable working directory;
# the code under /airbyte/integration_code stays owned by root.
RUN set -eu; \
    if getent passwd node >/dev/null; then userdel node; fi; \
    if getent group node >/dev/null; then groupdel node; fi; \
    groupadd --gid 1000 airbyte; \
    useradd --uid 1000 --gid airbyte --home-dir /airbyte --no-create-home --shell /bin/sh airbyte; \
    mkdir -p /airbyte/integration_code; \
    chown airbyte:airbyte /airbyte; \
    chmod 0775 /airbyte
WORKDIR /airbyte
COPY --from=deps /deps/node_modules /airbyte/integration_code/node_modules
COPY --from=build /build/dist/src /airbyte/integration_code/dist/src
COPY package.json spec.json /airbyte/integration_code/
COPY schemas /airbyte/integration_code/schemas
ENV NODE_ENV=production
# Airbyte's Kubernetes launcher runs `eval "$AIRBYTE_ENTRYPOINT <args>"`: keep it equal to ENTRYPOINT.
ENV AIRBYTE_ENTRYPOINT="/usr/local/bin/node /airbyte/integration_code/dist/src/main.js"
ENTRYPOINT ["/usr/local/bin/node", "/airbyte/integration_code/dist/src/main.js"]
USER airbyte
LABEL io.airbyte.name=airbyte/source-digitalocean
LABEL io.airbyte.version=0.1.0
