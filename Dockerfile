# syntax=docker/dockerfile:1
# Leasehold's production image: the `leasehold` command (worker, dashboard, demo, ops).
# Build stage: the same script CI runs on the host (scripts/build-production.sh) installs,
# builds and deploys @leasehold/cli with production dependencies only into /out.
# Runtime stage: node and /out, nothing else; runs as the unprivileged `node` user.
#   docker build -t leasehold .
#   docker run --rm leasehold --help

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Keep in step with package.json's packageManager (CI checks it).
ARG PNPM_VERSION=12.21.0
ENV CI=true TURBO_TELEMETRY_DISABLED=1
RUN npm install -g pnpm@${PNPM_VERSION}
WORKDIR /src
COPY . .
RUN --mount=type=cache,id=pnpm-store,target=/root/.local/share/pnpm/store \
    bash scripts/build-production.sh /out

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
# Owned by root, read by `node`: the running process cannot rewrite its own code.
COPY --from=build /out /app
RUN ln -s /app/bin/leasehold.js /usr/local/bin/leasehold
USER node
WORKDIR /home/node
ENTRYPOINT ["leasehold"]
CMD ["--help"]
