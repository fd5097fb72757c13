import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompressPlugin } from './scripts/precompress.mjs';

// Everything is bundled, Monaco and its workers included: edge sites have no internet, and the
// built editor must not ask any host but the runtime for anything. Each asset also gets a brotli
// and a gzip copy, which the runtime sends to browsers that accept them.
export default defineConfig({
  plugins: [react(), precompressPlugin()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 8000 },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:1990', ws: true },
      '/metrics': 'http://127.0.0.1:1990',
      // The config validators the runtime compiles for its installed types (a module the editor imports).
      '/editor-validators': 'http://127.0.0.1:1990',
    },
  },
});
