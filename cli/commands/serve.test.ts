import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
});
