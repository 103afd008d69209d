/**
 * The leaderboard page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core). Skipped, with the reason printed, where no chromium is installed
 * (`.ci/run` installs it); FACTRECALL_CHROMIUM names another binary.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/paths.ts';
import {
  bearerOf,
  predictionsFile,
  startTestBoard,
  type TestBoard,
} from '../test/support/leaderboard.ts';

function findChromium(): string | undefined {
  const named = process.env.FACTRECALL_CHROMIUM;
  if (named) return existsSync(named) ? named : undefined;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  process.stderr.write(
    'leaderboard/web.browser.test.ts: SKIPPED: no chromium (apt-get install -y chromium, or set FACTRECALL_CHROMIUM)\n',
  );
}
export const SCREENSHOT = join(REPO_ROOT, 'runs', 'leaderboard', 'screenshot.png');

let tb: TestBoard;
let url: string;
let browser: Browser;

async function submit(
  team: string,
  model: Record<string, string>,
  answer: (r: { id: string; answers: string[] }, i: number) => string,
) {
  const res = await fetch(`${url}/v1/submissions`, {
    method: 'POST',
    headers: { ...bearerOf(tb.teams[team]!), 'content-type': 'application/json' },
    body: JSON.stringify({
      dataset: 'simpleqa',
      model,
      predictions: predictionsFile(tb.test, answer),
    }),
  });
  expect(res.status).toBe(202);
  await tb.board.scorer.idle();
}

describe.skipIf(!CHROMIUM)('the leaderboard page in headless Chromium', () => {
  beforeAll(async () => {
    // A fixed salt fixes which questions are public. The answers below depend only on a
    // question's rank within its part, so the ranking and the gain hold for any partition with
    // two public questions: base is right on the first of each part, GRPO on the first two.
    tb = await startTestBoard({ quota: 20 }, { salt: 'web-browser-test' });
    url = await tb.board.app.listen({ host: '127.0.0.1', port: 0 });
    const pinned = tb.board.splits.get('simpleqa')!;
    expect(pinned.nPublic).toBeGreaterThanOrEqual(2);
    const rankInPart = new Map<string, number>();
    const seen = [0, 0];
    for (const r of tb.test) rankInPart.set(r.id, seen[pinned.part.get(r.id)!]!++);
    const rightOnFirst =
      (n: number) =>
      (r: { id: string; answers: string[] }): string =>
        rankInPart.get(r.id)! < n ? r.answers[0]! : 'no';
    await submit(
      'alpha',
      { name: 'SmallLM-base', size: '135M', method: 'instruct' },
      rightOnFirst(1),
    );
    await submit(
      'alpha',
      {
        name: 'SmallLM-grpo',
        size: '135M',
        method: 'grpo',
        baseline: 'SmallLM-base',
        link: 'https://example.org/grpo',
      },
      rightOnFirst(2),
    );
    await submit('beta', { name: 'oracle', method: 'scripted' }, (r) => r.answers[0]!);
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      headless: true,
      // Chromium refuses to run as root with its sandbox on.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await tb?.close();
  });

  it('loads the ranking, sorts it by a clicked column, shows a submission made through the API, details and plot; saves a screenshot; a closed round shows its private part', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    const names = () => page.locator('#rows tr td:nth-child(3)').allTextContents();
    await page.locator('#rows tr').nth(2).waitFor();
    expect(await names()).toEqual(['oracle', 'SmallLM-grpo', 'SmallLM-base']);

    await page.locator('#head th', { hasText: 'mean public' }).click();
    expect(await names()).toEqual(['SmallLM-base', 'SmallLM-grpo', 'oracle']);
    await page.locator('#head th', { hasText: /^model$/ }).click();
    expect(await names()).toEqual(['oracle', 'SmallLM-base', 'SmallLM-grpo']);
    expect(await page.locator('#head th', { hasText: /^model$/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );

    // A new submission through the API appears on reload.
    await submit('beta', { name: 'api-entry', method: 'sft' }, (r, i) =>
      i < 3 ? r.answers[0]! : 'no',
    );
    await page.reload();
    await page.locator('#rows tr').nth(3).waitFor();
    expect(await names()).toContain('api-entry');

    // The GRPO entry's gain over its own baseline is shown, and its details hold the fingerprint.
    const grpoRow = page.locator('#rows tr', { hasText: 'SmallLM-grpo' });
    expect(await grpoRow.textContent()).toContain('+100.0%');
    await grpoRow.click();
    await expect.poll(() => page.locator('#details').isVisible()).toBe(true);
    const split = tb.board.splits.get('simpleqa')!.splitHash.slice(0, 12);
    expect(await page.locator('#details-rows').textContent()).toContain(split);
    expect(await page.locator('#details-title').textContent()).toBe('alpha / SmallLM-grpo');
    expect(await page.locator('#plot svg rect[data-dataset="simpleqa"]').count()).toBe(4);

    mkdirSync(join(REPO_ROOT, 'runs', 'leaderboard'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    process.stdout.write(`leaderboard page screenshot: ${SCREENSHOT}\n`);
    expect(existsSync(SCREENSHOT)).toBe(true);

    // Once the round closes, its page shows the private part; the new round starts empty.
    tb.board.store.closeRound();
    await page.goto(`${url}/?round=1`);
    await page.locator('#rows tr').nth(3).waitFor();
    expect(await page.locator('#head').textContent()).toContain('simpleqa private');
    await page.goto(url);
    await expect
      .poll(() => page.locator('#status').textContent())
      .toBe('No scored submissions yet.');
    expect(problems).toEqual([]);
  }, 120_000);
});
