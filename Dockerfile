# tradestore: the HTTP API (`tradestore serve`) on Node 24.
# Build: docker build -t tradestore .    Run: see docker-compose.yml and README.md (Deployment).

# --- build: compile the TypeScript sources to dist/, the web app to web/dist/ ------------------
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json
COPY web ./web
RUN npx vite build --config web/vite.config.ts

# --- runtime: production dependencies, the compiled code, the migrations ----------------------
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:/data/tradestore.db
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY --from=build /src/web/dist ./web/dist
COPY bin ./bin
COPY migrations ./migrations
# A non-root user owns only the data directory; the code stays read-only to it.
RUN groupadd --system tradestore && useradd --system --gid tradestore --home-dir /app tradestore \
    && mkdir -p /data && chown tradestore:tradestore /data
USER tradestore
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# serve applies pending migrations first (MIGRATE_ON_START=true) and stops cleanly on SIGTERM.
ENTRYPOINT ["node", "bin/tradestore.js"]
CMD ["serve"]
