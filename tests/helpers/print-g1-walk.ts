/** Prints the G1 walking distances through the floating-base shield profile and in pass-through: npx vite-node tests/helpers/print-g1-walk.ts */
import { printWalkComparison } from './g1-walk.js';

await printWalkComparison(process.argv[2]);
