/** Zod schemas of service requests, keyed by service type (checked before a handler runs). */
import type { z } from 'zod';
import { SetBoolRequestSchema, TriggerRequestSchema, type ServiceTypeName } from '../messages.js';

export const serviceRequestSchemas: { [S in ServiceTypeName]: z.ZodType } = {
  'std_srvs/srv/Trigger': TriggerRequestSchema,
  'std_srvs/srv/SetBool': SetBoolRequestSchema,
};
