/**
 * `npm run adaptation`: the adaptation scenario (src/runtime/adaptation-scenario.ts) — the
 * regime sequence in the embedded sim for the variants none / no_memory / full / oracle; prints
 * the table and writes the results JSON (and the regime libraries) to --out.
 *
 *   node dist/cli/adaptation.js [--config config/adaptation.yaml] [--out results] [--duration <s>] [--variants none,full] [--json] [--series]
 *
 * --series: also writes each variant's sampled signed per-joint tracking error (`<out>/adaptation-series-<variant>.json`:
 * t, motion-phase bin, error [sample × joint], joints) for analysis, e.g. `node scripts/adaptation-harmonics.mjs <out>`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Series } from '../runtime/adaptation-metrics.js';
import { formatAdaptationReport, runAdaptationScenario, VARIANTS, type Variant } from '../runtime/adaptation-scenario.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: join(ROOT, 'config', 'adaptation.yaml') },
      out: { type: 'string', default: join(ROOT, 'results') },
      duration: { type: 'string' },
      variants: { type: 'string', default: VARIANTS.join(',') },
      json: { type: 'boolean', default: false },
      series: { type: 'boolean', default: false },
    },
  });
  const variants = values.variants.split(',').map((v) => v.trim()) as Variant[];
  const bad = variants.filter((v) => !(VARIANTS as readonly string[]).includes(v));
  const durationS = values.duration !== undefined ? Number(values.duration) : undefined;
  if (bad.length > 0 || (durationS !== undefined && !(durationS > 0))) {
    process.stderr.write(`usage: npm run adaptation -- [--config f] [--out dir] [--duration s] [--variants ${VARIANTS.join(',')}] [--json] [--series]\n`);
    return 2;
  }
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  const report = await runAdaptationScenario({
    configPath: resolve(values.config),
    root: ROOT,
    memoryDir: out,
    variants,
    ...(durationS !== undefined ? { durationS } : {}),
    ...(values.series
      ? { onSeries: (v: Variant, s: Series) => writeFileSync(join(out, `adaptation-series-${v}.json`), JSON.stringify({ t: s.t, bin: s.bin, err: s.jointErr, joints: s.joints })) }
      : {}),
    onProgress: (v, t, d) => {
      if (Math.abs(t - d) < 1e-6 || Math.round(t * 1000) % 10000 === 0) process.stderr.write(`${v}: t = ${t.toFixed(0)} / ${d} s\n`);
    },
  });
  const file = join(out, 'adaptation.json');
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write((values.json ? JSON.stringify(report, null, 2) : formatAdaptationReport(report)) + `\n\nresults written to ${file}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
