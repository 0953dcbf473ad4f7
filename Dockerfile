# onramp web app and worker (one image; ONRAMP_ROLE picks the process).
# Build stage: compile the entry points and bundle the workflow code once (`npm run build`, src/bin/build.ts).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
RUN npm run build -- --out dist

# Run stage: production packages and the built output only; plain node, no TypeScript at run time.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# Memory: see src/bin/nodeFlags.ts (the same flags and environment) and docs/performance.md.
ENV MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/serve.mjs"]
