// The console's build: web/console into the folder the admin center serves
// (CMake passes --outDir: <build>/share/custodian/console). Nothing inline:
// the Content-Security-Policy allows scripts and styles from files only.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../../build/console', // CMake passes the real one
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
