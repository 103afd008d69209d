import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './shell-quote.ts';

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest', () => {
    expect(shellQuote(['factrecall', 'train', '--set', 'grpo.lr=2e-5'])).toBe(
      'factrecall train --set grpo.lr=2e-5',
    );
    expect(shellQuote(['--judge', '{"kind":"contains"}', ''])).toBe(
      `--judge '{"kind":"contains"}' ''`,
    );
  });

  it('gives back the same argv when a shell reads the line', () => {
    const argv = ["it's", 'a b', '$HOME', '`x`', 'semi;colon', 'new\nline', '*', '\\'];
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${shellQuote(argv)}`], {
      encoding: 'utf8',
    });
    expect(out.split('\0').slice(0, -1)).toEqual(argv);
  });
});
