import { defineConfig } from 'vitest/config';

// One vitest project per package, plus the cross-package suites in tests/.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'tests/vitest.config.ts'],
  },
});
