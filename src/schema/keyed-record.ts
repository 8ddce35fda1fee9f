/**
 * `z.record` whose refused keys say why. zod 4 reports a key its key schema
 * refuses as one `invalid_key` issue ("Invalid key in record") with the key
 * schema's own issues nested inside; the message here carries those reasons
 * (e.g. "primitive names are lower_snake_case"), as zod 3's key issues did.
 */
import { z } from 'zod';

export const keyedRecord = <K extends z.core.$ZodRecordKey, V extends z.core.SomeType>(key: K, value: V) =>
  z.record(key, value, {
    error: (issue) => (issue.code === 'invalid_key' ? `Invalid key in record: ${issue.issues.map((i) => i.message).join('; ')}` : undefined),
  });
