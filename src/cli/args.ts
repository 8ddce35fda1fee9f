/**
 * Command-line helpers shared by the CLIs: numeric flags with a clear message
 * (`--duration must be > 0 s, got '-1'`), and negative numbers accepted as
 * option values (`--duration -1` reaches the check instead of Node's
 * "argument is ambiguous").
 */

/**
 * Joins `--flag -1` into `--flag=-1` for the given string options, so that
 * `parseArgs` takes a negative number as the option's value.
 */
export function joinNegativeValues(argv: readonly string[], stringOptions: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith('--') && stringOptions.includes(a.slice(2)) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export interface NumberRule {
  /** Strict lower bound (value must be greater). */
  above?: number;
  /** Inclusive lower bound. */
  atLeast?: number;
  integer?: boolean;
  /** Unit for the message, e.g. `s`, `Hz`. */
  unit?: string;
}

/** Parses a numeric flag's text; throws `--name must be …, got '…'` when it does not follow `rule`. */
export function numberFlag(name: string, text: string, rule: NumberRule): number {
  const unit = rule.unit ? ` ${rule.unit}` : '';
  const wants = [
    rule.integer ? 'an integer' : 'a number',
    rule.above !== undefined ? `> ${rule.above}${unit}` : '',
    rule.atLeast !== undefined ? `>= ${rule.atLeast}${unit}` : '',
  ].filter(Boolean);
  const fail = (): never => {
    throw new Error(`--${name} must be ${wants.length > 1 ? wants.slice(1).join(' and ') : wants[0]}${rule.integer && wants.length > 1 ? ' (an integer)' : ''}, got '${text}'`);
  };
  const x = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(x)) fail();
  if (rule.integer && !Number.isInteger(x)) fail();
  if (rule.above !== undefined && !(x > rule.above)) fail();
  if (rule.atLeast !== undefined && !(x >= rule.atLeast)) fail();
  return x;
}
