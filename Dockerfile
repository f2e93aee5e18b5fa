# One image for every Terrarium service; docker-compose picks the entry point per service.

# 1. The package manifests alone (every package.json and the lockfile, at their paths). The
#    install layer below depends on nothing else, so a source change reuses it.
FROM node:20-bookworm-slim AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && find . -name node_modules -prune -o \( -name package.json -o -name package-lock.json \) -type f -print \
    | xargs cp --parents -t /manifests

# 2. Install (dev dependencies too: the build needs TypeScript, turbo and Vite), then the sources.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# Build, drop dev dependencies, then everything only the build needed: sources, tests, configs
# (scripts/docker/prune-image.mjs lists what stays).
RUN npx turbo run build --output-logs=errors-only \
 && npm prune --omit=dev --no-audit --no-fund \
 && node scripts/docker/prune-image.mjs /app

# 3. The production image: compiled code, production dependencies, the schemas and manifests.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=build /app /app
RUN mkdir -p /data/media && chown node:node /data/media
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4006
# Every service answers /health on its port: PORT for a subgraph, GATEWAY_PORT (4000) for the gateway.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || process.env.GATEWAY_PORT || 4000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "gateway/dist/main.js"]
