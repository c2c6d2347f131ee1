// The build of one of web/'s apps, the folder of its index.html being
// `root` (CMake passes the real --outDir: <build>/share/custodian/<app>).
// Nothing inline: the Content-Security-Policy of both daemons allows
// scripts and styles from files only.
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

export function appConfig(root: URL): UserConfig {
  return defineConfig({
    root: fileURLToPath(root),
    base: '/',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: fileURLToPath(new URL('../../build/web-app', root)), // replaced by --outDir
      emptyOutDir: true,
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      sourcemap: false,
    },
  });
}
