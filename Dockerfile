# One image for every StreamLeads process (api, worker, dashboard, migrate); the command picks.
# Build steps are the README's: pnpm install (which generates the Prisma client), dashboard build,
# server build (server/dist, run with plain node: no TypeScript loader in the processes).
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY . .
RUN pnpm install --frozen-lockfile \
  && pnpm --filter @streamleads/dashboard build \
  && pnpm --filter @streamleads/server build

FROM node:20-bookworm-slim
WORKDIR /app
RUN npm install -g pnpm@12.4.2
COPY --from=build --chown=node:node /app /app
USER node
ENV NODE_ENV=production HOST=0.0.0.0
EXPOSE 4000 3000
CMD ["node", "--max-old-space-size=512", "server/dist/main.js", "all"]
