import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The console (issue 20) is served by the service itself under /app/ (src/common/http/console-static.ts).
const root = fileURLToPath(new URL('.', import.meta.url));
export default defineConfig({
  root,
  base: '/app/',
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // no inline script anywhere (the console's CSP is script-src 'self')
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1200,
  },
});
