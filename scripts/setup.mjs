#!/usr/bin/env node
// Set-up run before `npm start` and `npm test`: installs what they need, once.
//  - Node packages: `npm ci` when node_modules is missing or was installed from another
//    package-lock.json (never into a node_modules that is a link to a shared install).
//  - Python (GRPO worker, Python client): a project-local .venv from the pinned requirement
//    files in PY_REQUIREMENTS, remade when any of them changes. Skipped with FACTRECALL_SKIP_PYTHON=1, or when
//    FACTRECALL_PYTHON names an interpreter to use instead.
// Plain Node only: it runs before any dependency is installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  readFileSync,
  realpathSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Pinned Python requirement files, installed in this order into .venv. */
const PY_REQUIREMENTS = [
  'cuda-agent/worker/requirements.txt',
  'protocol/python/requirements-dev.txt',
  'protocol/python/requirements-integrations.txt',
];

const log = (msg) => process.stderr.write(`[setup] ${msg}\n`);
const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const modules = join(root, 'node_modules');
  // The lock file's hash as installed: a checkout's file times say nothing (git sets them).
  const stamp = join(modules, '.factrecall-lock.sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  if (existsSync(modules) && lstatSync(modules).isSymbolicLink()) {
    // A shared install (a worktree's node_modules linked to another checkout's): `npm ci` here
    // would empty the linked folder under everyone using it. Its owner installs it.
    log(
      `node_modules links to ${realpathSync(modules)}, installed from another package-lock.json: not reinstalling a shared folder (run npm ci in its checkout)`,
    );
    return;
  }
  const marker = join(modules, '.package-lock.json');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (!fresh || existsSync(stamp)) {
    log('installing Node packages (npm ci)');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  writeFileSync(stamp, `${want}\n`);
}

function ensurePython() {
  if (process.env.FACTRECALL_SKIP_PYTHON === '1' || process.env.FACTRECALL_PYTHON) return;
  const reqFiles = PY_REQUIREMENTS.map((f) => join(root, f)).filter((f) => existsSync(f));
  if (reqFiles.length === 0) return;
  const venv = join(root, '.venv');
  const stamp = join(venv, '.requirements.sha256');
  const h = createHash('sha256');
  // Paths relative to the checkout, so every checkout sharing one .venv agrees on the stamp.
  for (const f of reqFiles) h.update(relative(root, f)).update(readFileSync(f));
  const want = h.digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return;
  const python = process.env.PYTHON ?? 'python3';
  log(`making the Python environment .venv with ${python} (first time only; torch is large)`);
  if (!existsSync(join(venv, 'bin', 'python'))) run(python, ['-m', 'venv', venv]);
  const pip = join(venv, 'bin', 'pip');
  for (const f of reqFiles) run(pip, ['install', '--disable-pip-version-check', '-q', '-r', f]);
  writeFileSync(stamp, `${want}\n`);
}

try {
  ensureNodeModules();
  ensurePython();
} catch (e) {
  log(`set-up failed: ${e.message}`);
  process.exit(1);
}
