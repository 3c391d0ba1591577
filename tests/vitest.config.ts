import { defineProject } from 'vitest/config';

// Slow suites that run built packages as a user would; `pnpm test` builds first.
export default defineProject({
  test: { name: 'tests', include: ['**/*.test.ts'], exclude: ['**/node_modules/**'], testTimeout: 60_000 },
});
