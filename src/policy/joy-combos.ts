/**
 * Joy button combos → mode requests. A combo fires once, on the message where
 * all its buttons become held (rising edge of the whole combo); when several
 * fire together the one with the most buttons wins (so LB+A beats A).
 * Allocation-free per message.
 */
import type { ModeName } from './modes.js';

export interface JoyCombo {
  buttons: readonly number[];
  mode: ModeName;
}

export class JoyComboDetector {
  private readonly combos: JoyCombo[];
  private readonly held: Uint8Array;

  constructor(combos: readonly JoyCombo[]) {
    this.combos = [...combos].sort((a, b) => b.buttons.length - a.buttons.length);
    this.held = new Uint8Array(this.combos.length);
  }

  /** The mode requested by this message's buttons, or null. */
  update(buttons: ArrayLike<number>): ModeName | null {
    let fired: ModeName | null = null;
    for (let c = 0; c < this.combos.length; c++) {
      const combo = this.combos[c]!;
      let all = true;
      for (let i = 0; i < combo.buttons.length; i++) {
        if (!((buttons[combo.buttons[i]!] ?? 0) > 0)) {
          all = false; // indexed loop: a for-of iterator is allocated until V8 optimises the loop
          break;
        }
      }
      if (all && this.held[c] === 0 && fired === null) fired = combo.mode;
      this.held[c] = all ? 1 : 0;
    }
    return fired;
  }
}
