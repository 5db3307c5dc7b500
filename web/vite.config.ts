import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compression } from 'vite-plugin-compression2';

// Static files served by `faultline start`: hashed names under assets/ (served as immutable), and a
// .gz and .br beside every compressible file so the server never compresses on the request path.
export default defineConfig({
  plugins: [
    react(),
    compression({ algorithms: ['gzip', 'brotliCompress'], threshold: 1024, deleteOriginalAssets: false }),
  ],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    // Chromium, Firefox and Safari all support modulepreload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev -w web` against a `faultline start` on the default port.
    proxy: { '/api': 'http://127.0.0.1:8000', '/_health': 'http://127.0.0.1:8000' },
  },
});
