import { describe, expect, it } from 'vitest';
import { CandidateArbiter } from '../../src/safety/candidate-arbiter.js';

describe('CandidateArbiter: which candidate topic is in charge', () => {
  // topics: 0 = policy (priority 0), 1 = teleop (priority 10), 2 = a second policy-level topic (priority 0)
  const make = () => new CandidateArbiter([0, 10, 0], 0.1);

  it('admits every topic before any candidate was accepted', () => {
    const a = make();
    expect([a.admits(0, 1), a.admits(1, 1), a.admits(2, 1)]).toEqual([true, true, true]);
    expect(a.preempted).toBe(0);
  });

  it('drops lower-priority candidates while a higher-priority topic is fresh, and counts each drop', () => {
    const a = make();
    a.accepted(1, 1.0);
    expect(a.admits(0, 1.05)).toBe(false);
    expect(a.admits(2, 1.09)).toBe(false);
    expect(a.preempted).toBe(2);
    expect(a.admits(1, 1.05)).toBe(true); // the topic in charge itself
  });

  it('hands control back once the higher-priority topic is older than the timeout', () => {
    const a = make();
    a.accepted(1, 1.0);
    expect(a.admits(0, 1.1001)).toBe(true);
    expect(a.preempted).toBe(0);
  });

  it('equal priorities never preempt each other, and a lower one never preempts a higher one', () => {
    const a = make();
    a.accepted(0, 5);
    expect(a.admits(2, 5.01)).toBe(true);
    expect(a.admits(1, 5.01)).toBe(true);
    expect(a.preempted).toBe(0);
  });
});
