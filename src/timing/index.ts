export { DeadlineSchedule, DEFAULT_SPIN_NS, monotonicNs, sleepUntil } from './deadline.js';
