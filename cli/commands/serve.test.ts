import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvalQuota } from './serve.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'factrecall.js');

describe('factrecall serve flags', () => {
  it('refuses a --drain-ms that is not milliseconds with FR_ERR_PROTO_BAD_CONFIG instead of serving without a drain', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--grpc-port', '0', '--drain-ms', 'soon'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).not.toMatch(/listening/);
    expect(r.stderr).toMatch(/error FR_ERR_PROTO_BAD_CONFIG: .*--drain-ms/);
  });

  it('reads --eval-quota as runs per window and refuses other spellings with FR_ERR_PROTO_BAD_CONFIG', () => {
    expect(parseEvalQuota('10/24h')).toEqual({ runs: 10, windowMs: 24 * 3600_000 });
    expect(parseEvalQuota('0/30m')).toEqual({ runs: 0, windowMs: 30 * 60_000 });
    for (const bad of ['10', '10/0h', '-1/1h', 'ten/1h', '3/2d']) {
      expect(() => parseEvalQuota(bad)).toThrow(/FR_ERR_PROTO_BAD_CONFIG|RUNS\/WINDOW/);
    }
  });
});
