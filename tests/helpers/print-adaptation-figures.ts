/**
 * Prints the figures quoted in tests/adaptation/load-feature.test.ts and /work/notes/s5-tests.md, including the
 * adapter's shipped values (resetVarianceLoad 0.01, resetVarianceScale 1) on the same synthetic plants:
 *   npx vite-node tests/helpers/print-adaptation-figures.ts
 */
import type { AdaptationConfigInput } from '../../src/adaptation/config.js';
import { ResidualAdapter } from '../../src/adaptation/residual-adapter.js';
import {
  AB, AB_LIMITS, ArmPlant, HAND, LIMITS, MODEL, POLICY, Plant2, RIGHT_ARM, RIGHT_GROUP, nominal2, rms, run2, runArm, type Regime,
} from './adaptation-plants.js';

const f = (x: number): string => x.toFixed(4);
const ARM: AdaptationConfigInput = { groups: [RIGHT_GROUP], compensate: 'servo', correctAt: 'target', correctionGain: 1 };
const withHand = (cfg: AdaptationConfigInput): AdaptationConfigInput => ({ ...cfg, groups: [{ ...RIGHT_GROUP, loadLink: HAND }] });
const loadWeights = (ad: ResidualAdapter): string => {
  const e = ad.snapshot().entries.find((x) => x.label === ad.activeRegime)!;
  return RIGHT_ARM.map((_, k) => f(e.params[(k + 1) * ad.features - 1]!)).join(' ');
};

console.log('1. G1 right arm, 1.5 kg at the hand (servo-identity plant), detected switch: RMS |q − target| (rad) after the switch');
console.log('   resetVarianceLoad | loadLink | ticks 0..50 | ticks 15..50 | ticks 50..300');
for (const rvl of [0.01, 1, 10]) for (const load of [true, false]) {
  if (!load && rvl !== 0.01) continue; // without the load feature resetVarianceLoad plays no part
  const cfg = { ...ARM, resetVarianceLoad: rvl };
  const ad = new ResidualAdapter(load ? withHand(cfg) : cfg, POLICY, LIMITS, MODEL);
  const p = new ArmPlant();
  runArm(ad, p, 350);
  p.payloadKg = 1.5;
  const e = runArm(ad, p, 50);
  const late = runArm(ad, p, 250);
  console.log(`   ${String(load ? rvl : '-').padEnd(17)} | ${String(load).padEnd(8)} | ${f(rms(e))}      | ${f(rms(e.slice(15)))}       | ${f(rms(late))}`);
}

console.log('\n2. The learnt load weights (m/kp = 0.0375) after an announced switch to 1.5 kg, by resetVarianceLoad');
for (const physics of ['servo identity', 'static'] as const) for (const rvl of [1e-6, 0.01, 1, 10]) {
  if (physics === 'static' && rvl !== 10) continue;
  const ad = new ResidualAdapter(withHand({ ...ARM, resetVarianceLoad: rvl }), POLICY, LIMITS, MODEL);
  const p = new ArmPlant(physics);
  runArm(ad, p, 300);
  p.payloadKg = 1.5;
  ad.announceSwitch('payload');
  runArm(ad, p, 25);
  const at25 = loadWeights(ad);
  runArm(ad, p, 300);
  console.log(`   ${physics} plant, resetVarianceLoad ${rvl}: after 25 ticks ${at25}; after 325 ticks ${loadWeights(ad)}`);
}

console.log('\n3. The 2-joint plant, a half-gain regime (every offset doubled), detected: RMS error ticks 5..50 after the switch (rad)');
const half: Regime = (q, j) => 2 * nominal2(q, j);
for (const rv of [0.01, 1]) {
  const row = [0, 1, 100, 1e4].map((sc) => {
    const ad = new ResidualAdapter({ groups: [{ joints: ['a', 'b'], features: ['a'] }], correctionGain: 1, resetVariance: rv, resetVarianceScale: sc }, AB, AB_LIMITS);
    const p = new Plant2();
    run2(ad, p, 300);
    p.regime = half;
    return `scale ${sc}: ${f(rms(run2(ad, p, 50).slice(5)))}`;
  });
  console.log(`   resetVariance ${rv}: ${row.join(', ')}`);
}
