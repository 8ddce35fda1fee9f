/**
 * The operator's requests to a shield (the node's `std_srvs/Trigger`
 * services): what each does and when it counts as a success.
 */
import type { Shield } from './shield.js';

export const SHIELD_REQUESTS = ['estop', 'reset', 'activate', 'hold'] as const;
export type ShieldRequest = (typeof SHIELD_REQUESTS)[number];

/**
 * Carries out `request` at `nowS`: `estop` latches (always succeeds); `reset` leaves ESTOP for HOLD;
 * `activate` starts following candidates (already active counts as success); `hold` freezes the command.
 * The message is the shield's own answer (e.g. `refused_state_not_fresh`).
 */
export function shieldRequest(shield: Shield, request: ShieldRequest, nowS: number): { success: boolean; message: string } {
  switch (request) {
    case 'estop':
      shield.requestEstop(nowS);
      return { success: true, message: 'e-stop latched' };
    case 'reset': {
      const r = shield.requestReset(nowS);
      return { success: r === 'reset', message: r };
    }
    case 'activate': {
      const r = shield.activate(nowS);
      return { success: r === 'activated' || r === 'already_active', message: r };
    }
    case 'hold': {
      const r = shield.requestHold(nowS);
      return { success: r === 'holding', message: r };
    }
  }
}
