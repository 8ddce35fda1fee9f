/**
 * Records keyed by exact joint names or anchored regular expressions over
 * joint names (exact names win, then regexes in key order); a key that is not
 * a valid regular expression is refused by path.
 */
import { z } from 'zod';
import { keyedRecord } from './keyed-record.js';

function compiles(key: string): boolean {
  try {
    new RegExp(`^(?:${key})$`);
    return true;
  } catch {
    return false;
  }
}

export const nameOrRegexRecord = <T extends z.ZodType>(value: T) =>
  keyedRecord(z.string().min(1), value).superRefine((rec, ctx) => {
    for (const key of Object.keys(rec)) {
      if (!compiles(key)) ctx.addIssue({ code: 'custom', path: [key], message: `'${key}' is not a valid regular expression` });
    }
  });
