/**
 * The motion demo on the embedded sim: token-decoded primitives and a
 * retargeted CMU clip, played by the motion node and tracked through the
 * shield by the policy node in MOTION mode. Prints per request the tracking
 * RMSE, shield intervention ticks and reference points outside the URDF limits,
 * then the limit monitor and the shield's totals. (`npm start -- --config
 * config/motion/demo.yaml` runs the same scenario with the standard run summary
 * and HTML report.)
 *
 *   node dist/cli/motion-demo.js [--config config/motion/demo.yaml] [--duration <s>] [--json]
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runMotionDemo } from '../runtime/motion-run.js';
import { formatMotionSummary } from './motion-summary.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const { values } = parseArgs({ options: { config: { type: 'string', default: join(ROOT, 'config', 'motion', 'demo.yaml') }, duration: { type: 'string' }, json: { type: 'boolean', default: false } } });
const s = await runMotionDemo({ configPath: resolve(values.config), root: ROOT, ...(values.duration ? { durationS: Number(values.duration) } : {}) });
if (values.json) {
  process.stdout.write(`${JSON.stringify({ requests: s.requests, player: s.player, teleop: s.teleop, referenceLimitViolations: s.referenceLimitViolations, monitor: s.run.monitor, shield: s.run.shield, published: s.published, skippedClips: s.skippedClips }, null, 2)}\n`);
} else {
  process.stdout.write(`${formatMotionSummary(s)}\n`);
  process.stdout.write(`limit monitor violations (what reached the actuators vs URDF): ${s.run.monitor.violations}\n`);
  process.stdout.write(`shield: ${s.run.shield.ticks} ticks, intervened on ${s.run.shield.interventionTicks} (${JSON.stringify(s.run.shield.interventions)}), max intervention ${s.run.shield.maxInterventionRad.toFixed(4)} rad, activations ${s.run.shield.activations}, final state ${s.run.shield.finalState} (${s.run.shield.finalReason}); run failures: ${s.run.failures.length ? s.run.failures.join("; ") : "none"}\n`);
}
