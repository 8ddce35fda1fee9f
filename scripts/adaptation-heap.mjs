// Heap growth and time per ResidualAdapter.step on a synthetic 29-joint stream (after a warm-up that learns the anchor).
// Usage: npm run build:ts && node --expose-gc scripts/adaptation-heap.mjs   (a measurement, not a test)
import { ResidualAdapter } from '../dist/adaptation/residual-adapter.js';
import { G1_JOINTS, jointLimits } from '../dist/training/g1-upper-body.js';
import { loadConfigFile } from '../dist/io/config-file.js';
import { AdaptationScenarioSchema } from '../dist/runtime/adaptation-scenario.js';
const sc = loadConfigFile(AdaptationScenarioSchema, new URL('../config/adaptation-servo-shield.yaml', import.meta.url).pathname);
const ad = new ResidualAdapter(sc.adapter, G1_JOINTS, Object.fromEntries(G1_JOINTS.map((j) => [j, jointLimits(j)])));
const q = new Float64Array(29), qd = new Float64Array(29), pol = new Float64Array(29), out = new Float64Array(29);
const T = new Float64Array(1);
const tick = () => { T[0] += 0.02; for (let j = 0; j < 29; j++) { pol[j] = 0.3 * Math.sin(T[0] + j); q[j] = out[j] - 0.02 + 0.001 * Math.sin(7 * T[0] + j); qd[j] = 0.3 * Math.cos(T[0] + j); } ad.step(q, qd, pol, out, T[0]); };
for (let k = 0; k < 20000; k++) tick(); // warm-up incl. anchor
global.gc(); const before = process.memoryUsage().heapUsed; const n = 100000;
const t0 = performance.now(); for (let k = 0; k < n; k++) tick(); const ms = performance.now() - t0;
const after = process.memoryUsage().heapUsed;
console.log(`state ${ad.state}, detections ${ad.stats.detectedSwitches}; heap growth over ${n} ticks: ${after - before} B (${((after - before) / n).toFixed(2)} B/tick, no gc between); ${((ms / n) * 1000).toFixed(1)} µs/tick`);
