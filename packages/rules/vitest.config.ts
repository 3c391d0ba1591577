import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'rules',
    include: ['src/**/*.test.ts', 'scenarios/**/*.test.ts'],
    // The shipped rules and calendars are embedded from their JSON files (src/generated, not committed): fresh before any test.
    globalSetup: ['scripts/embedData.mjs'],
  },
});
