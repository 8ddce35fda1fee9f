/**
 * Candidate topics by priority: a candidate from one topic is dropped while a
 * topic of higher priority has delivered an accepted candidate within the
 * candidate watchdog timeout (teleop over policy, say). Equal priorities do
 * not preempt each other. Allocation-free per message.
 */
export class CandidateArbiter {
  /** Candidates dropped because a higher-priority topic was fresh. */
  preempted = 0;
  /** Latest accepted candidate stamp per topic, s (−∞ before the first). */
  private readonly acceptedStampS: Float64Array;

  /**
   * @param priorities priority per candidate topic (higher wins), in the order the topics are indexed
   * @param timeoutS how long an accepted candidate keeps its topic in charge, s
   */
  constructor(private readonly priorities: readonly number[], private readonly timeoutS: number) {
    this.acceptedStampS = new Float64Array(priorities.length).fill(Number.NEGATIVE_INFINITY);
  }

  /** True when a candidate from topic `k` may be offered to the shield at `nowS`; counts a drop otherwise. */
  admits(k: number, nowS: number): boolean {
    const mine = this.priorities[k]!;
    for (let j = 0; j < this.priorities.length; j++) {
      if (this.priorities[j]! > mine && nowS - this.acceptedStampS[j]! <= this.timeoutS) {
        this.preempted++;
        return false;
      }
    }
    return true;
  }

  /** The shield accepted a candidate from topic `k` stamped `stampS`. */
  accepted(k: number, stampS: number): void {
    this.acceptedStampS[k] = stampS;
  }
}
