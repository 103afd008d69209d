/**
 * Answer extraction: the model's raw text in, the short answer the judge grades out.
 * The rules are part of the reward, so they are versioned (EXTRACTION_VERSION enters the env
 * fingerprint) and every rule has a test in extract.test.ts.
 *
 * direct: the first non-empty line; leading labels ("Answer:", "A:", "The answer is") removed;
 *         surrounding quotes, markdown emphasis and one trailing period removed. A first line
 *         that is only a label ("Answer:") gives way to the next non-empty line.
 * cot:    the last line that starts with "Final answer:" (the same cleaning applied to what
 *         follows it); without such a line the answer is empty, i.e. not attempted.
 * Both:   the result is cut at `maxChars` code points and marked truncated when cut.
 */
import { FINAL_ANSWER_LABEL } from './prompts.ts';
import type { PromptName } from './types.ts';

/** Bump on any change to the rules below. */
export const EXTRACTION_VERSION = 1;

export interface Extraction {
  /** The answer sent to the judge; empty means not attempted. */
  text: string;
  /** True when `text` was cut at the length cap. */
  truncated: boolean;
  /** Which rule produced `text`. */
  rule: 'first_line' | 'final_answer_line' | 'none';
}

// Labels a model puts before a direct answer. Applied repeatedly ("Answer: The answer is X").
// Markdown emphasis around a label ("**Answer:**", "**Answer**:") goes with it.
const LEADING_LABELS = [
  /^[*_]{0,2}(?:final\s+)?answer\s*[*_]{0,2}\s*[:：\-–—]\s*[*_]{0,2}\s*/i,
  /^[*_]{0,2}a\s*[*_]{0,2}\s*[:：]\s*[*_]{0,2}\s*/i,
  /^the\s+(?:correct\s+|final\s+)?answer\s+is\s*[:：]?\s*/i,
];
const QUOTE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'],
  ["'", "'"],
  ['“', '”'],
  ['‘', '’'],
  ['«', '»'],
  ['`', '`'],
];
const FINAL_ANSWER_LINE = /^\W{0,4}final\s+answer\s*\**\s*[:：]\s*\**\s*(.*)$/i;

function lines(raw: string): string[] {
  return raw.split(/\r\n|\r|\n/).map((l) => l.trim());
}

/** Markdown emphasis wrapping the whole answer: **X**, *X*, __X__. */
function stripEmphasis(s: string): string {
  const m = /^(\*\*|__|\*|_)(.+)\1$/.exec(s);
  return m ? m[2]!.trim() : s;
}

function stripQuotes(s: string): string {
  for (const [open, close] of QUOTE_PAIRS) {
    if (s.length >= 2 && s.startsWith(open) && s.endsWith(close)) return s.slice(1, -1).trim();
  }
  return s;
}

/**
 * One trailing period goes ("Paris." -> "Paris"), unless the last word is an abbreviation
 * with inner periods ("Washington D.C." keeps its final period).
 */
function stripTrailingPeriod(s: string): string {
  if (!s.endsWith('.') || s.endsWith('..')) return s;
  const lastWord = s.slice(s.lastIndexOf(' ') + 1);
  if (lastWord.slice(0, -1).includes('.')) return s;
  return s.slice(0, -1).trimEnd();
}

/** The cleaning shared by both rules, applied until nothing changes. */
export function cleanAnswer(text: string): string {
  let s = text.trim();
  for (let i = 0; i < 8; i++) {
    const before = s;
    for (const label of LEADING_LABELS) s = s.replace(label, '');
    s = stripEmphasis(s);
    s = stripQuotes(s);
    s = stripTrailingPeriod(s);
    s = s.trim();
    if (s === before) break;
  }
  return s;
}

function isBareLabel(line: string): boolean {
  const s = stripEmphasis(line.trim());
  return LEADING_LABELS.some((label) => label.test(s) && s.replace(label, '').trim() === '');
}

function capped(text: string, maxChars: number): { text: string; truncated: boolean } {
  const points = Array.from(text);
  if (points.length <= maxChars) return { text, truncated: false };
  return { text: points.slice(0, maxChars).join('').trimEnd(), truncated: true };
}

/** Extract the answer of a `direct` reply. */
export function extractDirect(raw: string, maxChars: number): Extraction {
  const nonEmpty = lines(raw).filter((l) => l.length > 0);
  let cleaned = cleanAnswer(nonEmpty[0] ?? '');
  if (cleaned === '' && nonEmpty.length > 1 && isBareLabel(nonEmpty[0]!)) {
    cleaned = cleanAnswer(nonEmpty[1]!);
  }
  if (cleaned === '') return { text: '', truncated: false, rule: 'none' };
  return { ...capped(cleaned, maxChars), rule: 'first_line' };
}

/** Extract the answer of a `cot` reply: the last "Final answer:" line, else not attempted. */
export function extractCot(raw: string, maxChars: number): Extraction {
  const all = lines(raw);
  for (let i = all.length - 1; i >= 0; i--) {
    const m = FINAL_ANSWER_LINE.exec(all[i]!);
    if (!m) continue;
    // "Final answer:" alone on its line: the answer is on the next non-empty line.
    const rest = m[1]!.trim() || (all.slice(i + 1).find((l) => l.length > 0) ?? '');
    const cleaned = cleanAnswer(rest);
    if (cleaned === '') return { text: '', truncated: false, rule: 'none' };
    return { ...capped(cleaned, maxChars), rule: 'final_answer_line' };
  }
  return { text: '', truncated: false, rule: 'none' };
}

/** Extract with the rules of the given prompt. `maxChars` is the env's `maxAnswerChars`. */
export function extractAnswer(prompt: PromptName, raw: string, maxChars: number): Extraction {
  return prompt === 'cot' ? extractCot(raw, maxChars) : extractDirect(raw, maxChars);
}

// Kept beside the rules so the fingerprint sees the label the cot rule looks for.
export const EXTRACTION_RULES_ID = `v${EXTRACTION_VERSION}:${FINAL_ANSWER_LABEL}`;
