/**
 * A worker thread of the admission: runs the trials it is sent, one at a
 * time, and answers each with its metrics (src/runtime/admission.ts starts
 * one per core when running the built code).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { sendLogsTo } from '../log.js';
import type { TrialSpec } from '../admission/plan.js';
import { runTrial, type TrialInputs } from './admission-trial.js';

const port = parentPort;
if (!port) throw new Error('admission-worker runs as a worker thread');
const logPath = (workerData as { logPath?: string | null } | null)?.logPath;
if (logPath) sendLogsTo(pino.destination({ dest: logPath, append: true, sync: true }));
port.on('message', (job: { inputs: TrialInputs; spec: TrialSpec }) => {
  runTrial(job.inputs, job.spec).then(
    (metrics) => port.postMessage({ metrics }),
    (err: unknown) => port.postMessage({ error: (err as Error).message }),
  );
});
