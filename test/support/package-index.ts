/**
 * A PEP 503 "simple" package index on 127.0.0.1 (port 0) serving wheels made in the test, so
 * that `pip download --index-url` runs for real without reaching PyPI. Counts the requests
 * and can lie about a file's hash or cut its body short.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FakeWheel {
  /** Distribution name, e.g. `factrecall-fake-model`. */
  readonly project: string;
  readonly version: string;
  /** Files inside the wheel beside the dist-info (path -> content). */
  readonly files: Record<string, string | Uint8Array>;
}

/** The wheel's file name, per PEP 427 (`-` in the name becomes `_`). */
export function wheelName(w: FakeWheel): string {
  return `${w.project.replace(/-/g, '_')}-${w.version}-py3-none-any.whl`;
}

/**
 * Write a minimal valid wheel (dist-info METADATA, WHEEL, RECORD) into `dir` with Python's
 * zipfile; returns its path.
 */
export function makeWheel(dir: string, w: FakeWheel, python = 'python3'): string {
  const out = join(dir, wheelName(w));
  const distInfo = `${w.project.replace(/-/g, '_')}-${w.version}.dist-info`;
  const files: Record<string, string> = {};
  for (const [p, c] of Object.entries(w.files)) files[p] = Buffer.from(c).toString('base64');
  files[`${distInfo}/METADATA`] = Buffer.from(
    `Metadata-Version: 2.1\nName: ${w.project}\nVersion: ${w.version}\n`,
  ).toString('base64');
  files[`${distInfo}/WHEEL`] = Buffer.from(
    'Wheel-Version: 1.0\nGenerator: factrecall-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  ).toString('base64');
  files[`${distInfo}/RECORD`] = '';
  const script = [
    'import base64, json, sys, zipfile',
    'out, files = sys.argv[1], json.loads(sys.stdin.read())',
    'with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:',
    '    for p, c in files.items(): z.writestr(p, base64.b64decode(c))',
  ].join('\n');
  execFileSync(python, ['-c', script, out], { input: JSON.stringify(files) });
  return out;
}

export interface PackageIndex {
  /** The `--index-url` (…/simple/). */
  readonly url: string;
  /** Paths requested so far. */
  readonly requests: string[];
  /** Serve this wheel from now on (replacing any wheel of the same project). */
  serve(project: string, wheelPath: string): void;
  /** Next responses for the wheel: advertise a wrong sha256, or send only half the body. */
  fault: 'none' | 'wrong-hash' | 'truncate';
  close(): Promise<void>;
}

export async function startPackageIndex(): Promise<PackageIndex> {
  const wheels = new Map<string, { file: string; body: Buffer; sha256: string }>();
  const requests: string[] = [];
  const state = { fault: 'none' as PackageIndex['fault'] };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    const simple = /^\/simple\/([^/]+)\/?$/.exec(url);
    if (simple) {
      const w = wheels.get(simple[1]!.toLowerCase());
      if (!w) return void res.writeHead(404).end('not found');
      const sha = state.fault === 'wrong-hash' ? '0'.repeat(64) : w.sha256;
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end(
        `<!DOCTYPE html><html><body><a href="/files/${w.file}#sha256=${sha}">${w.file}</a></body></html>`,
      );
    }
    const file = /^\/files\/([^/]+)$/.exec(url);
    const w = file ? [...wheels.values()].find((x) => x.file === file[1]) : undefined;
    if (!w) return void res.writeHead(404).end('not found');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(w.body.length),
    });
    if (state.fault === 'truncate') {
      res.write(w.body.subarray(0, w.body.length >> 1));
      return void res.destroy();
    }
    res.end(w.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    requests,
    get fault() {
      return state.fault;
    },
    set fault(f) {
      state.fault = f;
    },
    serve(project, wheelPath) {
      const body = readFileSync(wheelPath);
      const file = wheelPath.split('/').pop()!;
      const sha256 = createHash('sha256').update(body).digest('hex');
      // PEP 503 normalised name: lower case, runs of -_. become -.
      wheels.set(project.toLowerCase().replace(/[-_.]+/g, '-'), { file, body, sha256 });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
