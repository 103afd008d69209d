/**
 * The one parser of numeric command-line flags. Stricter than `Number()`, which reads '' as 0
 * and '1e3' or '0x10' as integers: an integer flag is optional minus and digits, a number flag
 * any finite decimal. A bad value is refused with the calling part's own coded error (each
 * command reports in its part's catalogue), naming the flag, the rule and the value given.
 */
export interface NumberFlagRule {
  /** Whole numbers only (default true). */
  integer?: boolean;
  min?: number;
  max?: number;
}

export function numberFlag(
  flag: string,
  value: string | number,
  refuse: (detail: string) => Error,
  rule: NumberFlagRule = {},
): number {
  const text = String(value).trim();
  const integer = rule.integer ?? true;
  const n = Number(text);
  const wellFormed = integer ? /^-?\d+$/.test(text) : text !== '' && Number.isFinite(n);
  const inRange =
    wellFormed &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max);
  if (!inRange)
    throw refuse(`${flag} must be ${describeRule(rule)}, got ${JSON.stringify(String(value))}`);
  return n;
}

function describeRule({ integer = true, min, max }: NumberFlagRule): string {
  const kind = integer ? 'an integer' : 'a number';
  if (min !== undefined && max !== undefined) return `${kind} in ${min}..${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}
