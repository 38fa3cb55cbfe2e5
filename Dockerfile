# syntax=docker/dockerfile:1
# Multi-stage build: compile TypeScript and the web pages, then a slim non-root runtime.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && (npm run build:web --if-present)

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/schema ./schema
COPY --from=build /app/schema ./dist/schema
COPY --from=build /app/web ./web
RUN mkdir -p /app/.data && chown -R node:node /app/.data
USER node
EXPOSE 4000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# V8 flags: see src/config/server-node-flags.ts
CMD ["node", "dist/src/main.js"]
