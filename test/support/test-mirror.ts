/**
 * A local dataset mirror for tests: node:http on 127.0.0.1, port 0, serving files from memory
 * under the mirror layout (`/<dataset>/<file>`), with Range support and injectable faults.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Cut the connection after this many body bytes, on the first `times` requests (default 1). */
  dropAfterBytes?: number;
  /** Answer 503 (with Retry-After: 0) on the first `times` requests. */
  unavailable?: boolean;
  /** Serve a body with one byte flipped (same length) on every request. */
  corrupt?: boolean;
  /** Ignore Range headers (always 200 with the whole body). */
  ignoreRange?: boolean;
  times?: number;
}

export interface MirrorRequest {
  path: string;
  range: string | undefined;
  status: number;
  /** Body bytes actually sent. */
  sent: number;
}

export interface TestMirror {
  baseUrl: string;
  requests: MirrorRequest[];
  close(): Promise<void>;
}

export async function startTestMirror(
  files: Record<string, Uint8Array | string>,
  faults: Record<string, Fault> = {},
): Promise<TestMirror> {
  const requests: MirrorRequest[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(
      /^\//,
      '',
    );
    const n = (seen.get(path) ?? 0) + 1;
    seen.set(path, n);
    const range = req.headers.range;
    const log = (status: number, sent: number) => requests.push({ path, range, status, sent });
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404).end();
      log(404, 0);
      return;
    }
    const fault = faults[path] ?? {};
    const active = n <= (fault.times ?? 1);
    if (fault.unavailable && active) {
      res.writeHead(503, { 'retry-after': '0' }).end();
      log(503, 0);
      return;
    }
    let body = Buffer.from(file);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    if (fault.corrupt) {
      body = Buffer.from(body);
      const mid = body.length >> 1;
      body[mid] = (body[mid] ?? 0) ^ 0xff;
    }
    let start = 0;
    let status = 200;
    const headers: Record<string, string> = { etag, 'accept-ranges': 'bytes' };
    const m = /^bytes=(\d+)-$/.exec(range ?? '');
    const ifRange = req.headers['if-range'];
    if (m && !fault.ignoreRange && (ifRange === undefined || ifRange === etag)) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        log(416, 0);
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const slice = body.subarray(start);
    headers['content-length'] = String(slice.length);
    res.writeHead(status, headers);
    if (fault.dropAfterBytes !== undefined && active) {
      const cut = slice.subarray(0, fault.dropAfterBytes);
      res.write(cut, () => {
        log(status, cut.length);
        // Give the client a moment to take in what was sent, then cut the connection.
        setTimeout(() => res.socket?.destroy(), 30);
      });
      return;
    }
    res.end(slice);
    log(status, slice.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
