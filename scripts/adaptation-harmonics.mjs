#!/usr/bin/env node
// Analysis of an adaptation scenario run written with `npm run adaptation -- --out <dir> --series`:
// per variant and regime visit (from 2 s after the switch to its end), per tracked joint: RMSE, and the
// signed error's least-squares fit on [1, cos ωt, sin ωt, cos 2ωt, sin 2ωt] (ω = 2π / period of the
// motion): mean, first- and second-harmonic amplitude, residual RMS (mrad). A first harmonic that
// dominates is a phase/amplitude error of the periodic motion (the arm lagging its reference), not an
// offset or noise. Then the all-joint RMSE in 0.25 s windows over the first 2 s after each switch
// (the switching transient).
//
//   node scripts/adaptation-harmonics.mjs <dir> [--period 4] [--variants none,full,oracle] [--joints 0,3,7,10,12]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { period: { type: 'string', default: '4' }, variants: { type: 'string' }, joints: { type: 'string' } },
});
const dir = positionals[0];
if (!dir) {
  process.stderr.write('usage: node scripts/adaptation-harmonics.mjs <dir written with --series> [--period s] [--variants a,b] [--joints i,j]\n');
  process.exit(2);
}
const report = JSON.parse(readFileSync(join(dir, 'adaptation.json'), 'utf8'));
const w = (2 * Math.PI) / Number(values.period);
const short = (j) => j.replace(/_joint$/, '').replace(/^left_/, 'L.').replace(/^right_/, 'R.');
const pick = values.joints ? values.joints.split(',').map(Number) : report.trackedJoints.map((_, i) => i);

/** Least squares y ≈ X c (normal equations, Gaussian elimination with partial pivoting). */
function lsq(rows, y) {
  const d = rows[0].length;
  const A = Array.from({ length: d }, () => new Array(d + 1).fill(0));
  rows.forEach((x, r) => {
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) A[i][j] += x[i] * x[j];
      A[i][d] += x[i] * y[r];
    }
  });
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(A[r][c]) > Math.abs(A[p][c])) p = r;
    [A[c], A[p]] = [A[p], A[c]];
    for (let r = 0; r < d; r++) {
      if (r === c || A[c][c] === 0) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= d; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[d] / row[i]);
}

const mrad = (x) => (x * 1000).toFixed(1).padStart(6);
for (const v of report.variants) {
  if (values.variants && !values.variants.split(',').includes(v.variant)) continue;
  const file = join(dir, `adaptation-series-${v.variant}.json`);
  if (!existsSync(file)) continue;
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const nj = s.joints;
  process.stdout.write(`\n== ${v.variant}: per joint from 2 s after the switch (mrad): RMSE | mean, 1st harmonic, 2nd harmonic, residual\n`);
  for (const visit of v.visits) {
    const idx = [];
    for (let i = 0; i < s.t.length; i++) if (s.t[i] >= visit.startS + 2 && s.t[i] < visit.endS) idx.push(i);
    const X = idx.map((i) => [1, Math.cos(w * s.t[i]), Math.sin(w * s.t[i]), Math.cos(2 * w * s.t[i]), Math.sin(2 * w * s.t[i])]);
    const cells = pick.map((j) => {
      const y = idx.map((i) => s.err[i * nj + j]);
      const c = lsq(X, y);
      const res = Math.sqrt(y.reduce((a, yi, r) => a + (yi - X[r].reduce((b, x, k) => b + x * c[k], 0)) ** 2, 0) / y.length);
      const rms = Math.sqrt(y.reduce((a, yi) => a + yi * yi, 0) / y.length);
      return `${short(report.trackedJoints[j]).padEnd(18)} ${mrad(rms)} |${mrad(c[0])}${mrad(Math.hypot(c[1], c[2]))}${mrad(Math.hypot(c[3], c[4]))}${mrad(res)}`;
    });
    process.stdout.write(`${visit.name.padEnd(14)} ${visit.startS}-${Math.round(visit.endS)} s\n  ${cells.join('\n  ')}\n`);
  }
  process.stdout.write(`-- ${v.variant}: all-joint RMSE (mrad) in 0.25 s windows over the first 2 s after each switch\n`);
  for (const visit of v.visits.slice(1)) {
    const cells = [];
    for (let a = visit.startS; a < visit.startS + 2 - 1e-9; a += 0.25) {
      let sq = 0;
      let n = 0;
      for (let i = 0; i < s.t.length; i++) {
        if (s.t[i] < a || s.t[i] >= a + 0.25) continue;
        for (let j = 0; j < nj; j++) sq += s.err[i * nj + j] ** 2;
        n += nj;
      }
      cells.push(mrad(Math.sqrt(sq / n)));
    }
    process.stdout.write(`${visit.name.padEnd(14)} ${String(visit.startS).padStart(3)} s ${cells.join('')}\n`);
  }
}
