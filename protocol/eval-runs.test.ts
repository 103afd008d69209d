import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalRunLog, type EvalRunRecord } from './eval-runs.ts';

const record = (runId: string) => ({ runId, status: 'closed' }) as unknown as EvalRunRecord;

describe('the eval run log', () => {
  it('appends records as JSON lines, oldest first', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'fr-runs-')), 'runs.jsonl');
    const log = new EvalRunLog(path);
    await Promise.all([log.append(record('a')), log.append(record('b'))]);
    expect((await log.read()).map((r) => r.runId)).toEqual(['a', 'b']);
    expect(await readFile(path, 'utf8')).toMatch(/^\{"runId":"a".*\n\{"runId":"b".*\n$/);
  });

  it('refuses to write over something that is not a regular file (a FIFO, like /dev/null a special file) and leaves it as it was', async () => {
    const fifo = join(await mkdtemp(join(tmpdir(), 'fr-runs-')), 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(new EvalRunLog(fifo).append(record('x'))).rejects.toMatchObject({
      code: 'FR_ERR_PROTO_BAD_CONFIG',
    });
    expect((await stat(fifo)).isFIFO()).toBe(true);
  }, 3000);
});
