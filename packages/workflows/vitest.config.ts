import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'workflows', include: ['src/**/*.test.ts', 'scenarios/**/*.test.ts'], testTimeout: 30_000 },
});
