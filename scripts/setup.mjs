#!/usr/bin/env node
// Set-up run before `npm start` and `npm test`: installs what they need, once.
//  - Node packages: `npm ci` when node_modules is missing or older than package-lock.json.
//  - Python (for the GRPO worker): a project-local .venv from cuda-agent/worker/requirements.txt,
//    remade when the requirements change. Skipped with FACTRECALL_SKIP_PYTHON=1, or when
//    FACTRECALL_PYTHON names an interpreter to use instead.
// Plain Node only: it runs before any dependency is installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing Node packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensurePython() {
  if (process.env.FACTRECALL_SKIP_PYTHON === '1' || process.env.FACTRECALL_PYTHON) return;
  const reqFile = join(root, 'cuda-agent', 'worker', 'requirements.txt');
  if (!existsSync(reqFile)) return;
  const venv = join(root, '.venv');
  const stamp = join(venv, '.requirements.sha256');
  const want = createHash('sha256').update(readFileSync(reqFile)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  const python = process.env.PYTHON ?? 'python3';
  log(`making the Python environment .venv with ${python} (first time only; torch is large)`);
  if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
  const pip = join(venv, 'bin', 'pip');
  run(pip, ['install', '--disable-pip-version-check', '-q', '-r', reqFile]);
  writeFileSync(stamp, `${want}\n`);
}

try {
  ensureNodeModules();
  ensurePython();
} catch (e) {
  log(`set-up failed: ${e.message}`);
  process.exit(1);
}
