# CPU worker / producer image: TensorFlow.js on the wasm backend (SIMD), one worker process per core.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
# npm ci runs `prepare`, which compiles src/ to dist/; then drop the dev tools.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production LSW_CACHE_DIR=/tmp/lstm-sweep-cache
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
USER node
ENTRYPOINT ["node", "/app/bin/lstm-sweep.js"]
CMD ["worker", "--concurrency", "1"]
