// vitest for the UIs' logic; the end-to-end flows (e2e/) run under node --test.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['console/src/**/*.test.ts', 'customer/src/**/*.test.ts', 'shared/**/*.test.ts'] },
});
