/**
 * Sluice Studio's build: React + TypeScript, bundled with everything it needs (no CDN). Routes are
 * split into their own chunks (React.lazy in src/routes.tsx), so the first load is the shell alone.
 * `npm run dev` serves the app with hot reload and proxies the API paths to a running Sluice
 * (SLUICE_API_URL, default http://127.0.0.1:8080), keeping one origin for the browser.
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const api = process.env['SLUICE_API_URL'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  // @rjsf/core's test helper imports the Ajv validator; Studio validates without eval (spec-validator.ts).
  resolve: { alias: { '@rjsf/validator-ajv8': fileURLToPath(new URL('src/no-ajv.ts', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: false,
    proxy: Object.fromEntries(
      ['/data', '/openapi.json', '/docs', '/metrics', '/healthz', '/readyz'].map((path) => [
        path,
        { target: api, changeOrigin: false },
      ]),
    ),
  },
});
