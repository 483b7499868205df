// The web app's build: web/ → web/dist (index.html + content-hashed files under static/), served by
// `tradestore serve` under /app/ (src/api/web-app.ts). `npm run dev:web` runs Vite's dev server
// with every non-app path proxied to a running `tradestore serve` (TRADESTORE_URL, default :8080).
import { defineConfig } from 'vite';

const api = process.env.TRADESTORE_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  build: {
    outDir: 'dist',
    assetsDir: 'static',
    emptyOutDir: true,
    target: 'es2022',
    // One chart library chunk, loaded only by the pages that draw charts.
    chunkSizeWarningLimit: 250,
  },
  server: {
    port: 5173,
    strictPort: true,
    // `/`, the API, /docs, /health and /events go to the server; /app/… is Vite's.
    proxy: { '^/(?!app(/|$)).*': { target: api, changeOrigin: false } },
    fs: { allow: ['..'] },
  },
});
