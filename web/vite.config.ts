import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built by `npm run build:web` (`vite build web`: this folder is the root) into web/dist,
// which the server serves at /. `npx vite web` runs a dev server that forwards the API.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the portal supports has modulepreload: no polyfill code in the bundle.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
