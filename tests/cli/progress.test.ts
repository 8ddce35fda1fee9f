import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { compactLogLine, LogCapture } from '../../src/cli/progress.js';

describe('log capture (logs kept away from the progress bar)', () => {
  it('writes every line to the file and reports only warnings and errors, compactly', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aegis-log-')), 'run.log');
    const capture = new LogCapture(file);
    const log = pino({ level: 'info', base: undefined }, capture).child({ node: 'safety_shield' });
    log.info({ atS: 0.02 }, 'shield transition');
    log.warn({ from: 'ACTIVE', to: 'HOLD', reason: 'candidate_timeout', atS: 3.5 }, 'shield hold');
    log.error({ atS: 4 }, 'shield e-stop');
    const report = capture.report();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!).msg).toBe('shield hold');
    expect(capture.warnings).toEqual([
      'WARN  safety_shield: shield hold (from=ACTIVE to=HOLD reason=candidate_timeout atS=3.5)',
      'ERROR safety_shield: shield e-stop (atS=4)',
    ]);
    expect(report.split('\n')[0]).toBe(`log: 3 line(s) in ${file}; 2 warning(s)/error(s):`);
  });

  it('says so when the run logged no warning', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'aegis-log-')), 'run.log');
    const capture = new LogCapture(file);
    pino({ base: undefined }, capture).info('hello');
    expect(capture.report()).toBe(`log: 1 line(s) in ${file}; no warnings or errors`);
  });

  it('names the file it cannot open', () => {
    expect(() => new LogCapture('/nonexistent-dir/x.log')).toThrow(/nonexistent-dir\/x\.log/);
  });

  it('shortens long lines and keeps unparsable ones', () => {
    const long = JSON.stringify({ level: 40, time: 1, node: 'n', msg: 'm', notes: 'x'.repeat(1000) });
    const c = compactLogLine(long, 80);
    expect(c).toHaveLength(80);
    expect(c.endsWith('…')).toBe(true);
    expect(compactLogLine('not json\n')).toBe('not json');
  });
});
