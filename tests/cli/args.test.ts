import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { joinNegativeValues, numberFlag } from '../../src/cli/args.js';

describe('numeric flags', () => {
  it('accepts numbers that follow the rule', () => {
    expect(numberFlag('duration', '2.5', { above: 0, unit: 's' })).toBe(2.5);
    expect(numberFlag('steps', '10', { atLeast: 1, integer: true })).toBe(10);
    expect(numberFlag('seed', '-3', { integer: true })).toBe(-3);
  });

  it('names the flag, the rule and the value it refuses', () => {
    expect(() => numberFlag('duration', '-1', { above: 0, unit: 's' })).toThrow("--duration must be > 0 s, got '-1'");
    expect(() => numberFlag('duration', '0', { above: 0, unit: 's' })).toThrow("--duration must be > 0 s, got '0'");
    expect(() => numberFlag('duration', 'abc', { above: 0, unit: 's' })).toThrow("--duration must be > 0 s, got 'abc'");
    expect(() => numberFlag('duration', '', { above: 0, unit: 's' })).toThrow("got ''");
    expect(() => numberFlag('duration', 'Infinity', { above: 0, unit: 's' })).toThrow('--duration must be > 0 s');
    expect(() => numberFlag('steps', '1.5', { atLeast: 1, integer: true })).toThrow("--steps must be >= 1 (an integer), got '1.5'");
    expect(() => numberFlag('seed', 'x', { integer: true })).toThrow("--seed must be an integer, got 'x'");
  });

  it('lets parseArgs take a negative number as an option value (not "argument is ambiguous")', () => {
    const options = { duration: { type: 'string' as const }, quiet: { type: 'boolean' as const } };
    expect(() => parseArgs({ args: ['--duration', '-1'], options, strict: true })).toThrow(/ambiguous/);
    const joined = joinNegativeValues(['--duration', '-1', '--quiet'], ['duration']);
    expect(joined).toEqual(['--duration=-1', '--quiet']);
    expect(parseArgs({ args: joined, options, strict: true }).values.duration).toBe('-1');
    // other tokens are left alone: a flag after a value-taking option, and options not listed
    expect(joinNegativeValues(['--duration', '--quiet'], ['duration'])).toEqual(['--duration', '--quiet']);
    expect(joinNegativeValues(['--other', '-1'], ['duration'])).toEqual(['--other', '-1']);
    expect(joinNegativeValues(['--duration', '-.5'], ['duration'])).toEqual(['--duration=-.5']);
  });
});
