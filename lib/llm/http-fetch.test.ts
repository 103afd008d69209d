import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferedResponse, keepAliveFetch } from './http-fetch.ts';

const json = { 'content-type': 'application/json' };

describe('BufferedResponse', () => {
  it('is a Response whose body methods read the buffer once, like any Response', async () => {
    const r = new BufferedResponse(Buffer.from('{"grade":"A"}'), { status: 200, headers: json });
    const res = r.asResponse();
    expect(res).toBeInstanceOf(Response);
    expect(res.ok).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.bodyUsed).toBe(false);
    const copy = res.clone();
    expect(await res.json()).toEqual({ grade: 'A' });
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow(TypeError);
    expect(await copy.text()).toBe('{"grade":"A"}');
  });

  it('builds a readable body stream only when asked for one', async () => {
    const res = new BufferedResponse(Buffer.from('abc'), { status: 200 }).asResponse();
    const chunks: Uint8Array[] = [];
    for await (const c of res.body!) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    expect(res.bodyUsed).toBe(true);
    await expect(res.arrayBuffer()).rejects.toThrow(TypeError);
  });

  it('has a null body for a status without one', async () => {
    const res = new BufferedResponse(null, { status: 204 }).asResponse();
    expect(res.body).toBeNull();
    expect(await res.text()).toBe('');
  });
});

describe('keepAliveFetch', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        res.writeHead(201, { ...json, 'x-echo': req.headers['x-test'] ?? '' });
        res.end(JSON.stringify({ method: req.method, body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  it('sends the method, headers and body and hands back status, headers and JSON', async () => {
    for (const response of ['buffered', 'stream'] as const) {
      const f = keepAliveFetch({ maxSockets: 2, response });
      const res = await f(`${base}/x`, {
        method: 'POST',
        headers: new Headers({ 'x-test': 'yes' }),
        body: '{"a":1}',
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-echo')).toBe('yes');
      expect(await res.json()).toEqual({ method: 'POST', body: '{"a":1}' });
    }
  });
});
