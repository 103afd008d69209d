#!/usr/bin/env node
// Set-up run before `npm start` and `npm test`: installs what they need, once.
//  - Node packages: `npm ci` when node_modules is missing or older than package-lock.json.
//  - Python (GRPO worker, Python client): a project-local .venv from the pinned requirement
//    files in PY_REQUIREMENTS, remade when any of them changes. Skipped with FACTRECALL_SKIP_PYTHON=1, or when
//    FACTRECALL_PYTHON names an interpreter to use instead.
// Plain Node only: it runs before any dependency is installed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  // A node_modules that links to a shared install (a worktree): npm ci would empty the link's
  // target, the install every other checkout uses. Leave it to the owner of that install.
  const nm = join(root, 'node_modules');
  if (existsSync(nm) && lstatSync(nm).isSymbolicLink()) {
    log(
      'node_modules is a link to a shared install and older than package-lock.json; not running npm ci into it',
    );
    return;
  }
  log('installing Node packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

function ensurePython() {
  if (process.env.FACTRECALL_SKIP_PYTHON === '1' || process.env.FACTRECALL_PYTHON) return;
  const reqFiles = PY_REQUIREMENTS.map((f) => join(root, f)).filter((f) => existsSync(f));
  if (reqFiles.length === 0) return;
  const venv = join(root, '.venv');
  const stamp = join(venv, '.requirements.sha256');
  const h = createHash('sha256');
  for (const f of reqFiles) h.update(f).update(readFileSync(f));
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
