import { defineConfig } from 'vite';

// The browser page (web/). `fido-harness serve` serves web/dist; `npm run build:web` builds it.
export default defineConfig({
  root: 'web',
  build: { outDir: 'dist', emptyOutDir: true },
  server: { host: '127.0.0.1' },
});
