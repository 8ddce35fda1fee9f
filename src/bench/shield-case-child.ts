/**
 * One case of the shield bench in its own process (see `benchShield`): prints
 * the case's figures as one JSON line.
 *
 *   node dist/bench/shield-case-child.js CASE TICKS REPO_ROOT
 */
import { benchShieldCase } from './shield-bench.js';

const [name, ticks, root] = process.argv.slice(2);
if (!name || !Number.isInteger(Number(ticks)) || !root) {
  process.stderr.write('usage: shield-case-child.js CASE TICKS REPO_ROOT\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(await benchShieldCase(name, { ticks: Number(ticks), repoRoot: root }))}\n`);
