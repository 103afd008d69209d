#!/usr/bin/env node
// Runs the Python tests (worker, Python client) with the project's interpreter:
// FACTRECALL_PYTHON, else .venv/bin/python. Folders without tests are skipped.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FOLDERS = ['cuda-agent/worker', 'protocol/python'];

const python = process.env.FACTRECALL_PYTHON ?? join(root, '.venv', 'bin', 'python');
const hasTests = (dir) =>
  existsSync(dir) &&
  readdirSync(dir, { recursive: true }).some((f) => /(^|\/)test_[^/]*\.py$/.test(String(f)));
const targets = FOLDERS.filter((f) => hasTests(join(root, f)));
if (targets.length === 0) {
  process.stderr.write('[pytest] no Python tests yet\n');
  process.exit(0);
}
if (!existsSync(python) && !process.env.FACTRECALL_PYTHON) {
  process.stderr.write(`[pytest] ${python} is missing: run \`node scripts/setup.mjs\` first\n`);
  process.exit(1);
}
const r = spawnSync(python, ['-m', 'pytest', '-q', ...targets], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
