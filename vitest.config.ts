import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'runs/**', '.venv/**', '.venv-openenv/**', '.cache/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run test files in two workers; suites that open sockets bind 127.0.0.1:0.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['**/*.test-d.ts'] },
  },
});
