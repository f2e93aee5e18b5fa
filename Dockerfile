# One image for every Terrarium service; docker-compose picks the entry point per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json turbo.json tsconfig.json ./
COPY packages ./packages
COPY subgraphs ./subgraphs
COPY gateway ./gateway
COPY schema ./schema
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund && npx turbo run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data/media && chown node /data/media
USER node
EXPOSE 4000 4001 4002 4003 4004 4005 4006
CMD ["node", "gateway/dist/main.js"]
