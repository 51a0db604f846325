// Builds the renderer into dist/renderer/ (index.html + hashed assets), which Electron loads through its app://
// protocol and `splade-search serve` serves. Relative asset URLs ('./') work under both; no asset is inlined as a
// data: URI and no script is inlined, so the page runs under the strict CSP (script-src 'self'; style-src 'self').
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    sourcemap: true,
    modulePreload: { polyfill: false },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
