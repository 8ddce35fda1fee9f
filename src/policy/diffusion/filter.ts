/**
 * Choosing candidates by critic score: the top-k of the live candidates,
 * highest score first; equal scores keep the lower index first; a NaN score
 * ranks below every number (it is kept only when fewer than k candidates
 * have numeric scores). Allocates nothing (insertion into `out`).
 */

/**
 * Writes the indices of the best `k` live candidates into `out[0..m)` in rank
 * order and returns m = min(k, live count). `live[i] !== 0` marks candidate i live.
 */
export function topK(scores: ArrayLike<number>, live: ArrayLike<number>, count: number, k: number, out: Int32Array): number {
  let m = 0;
  for (let i = 0; i < count; i++) {
    if (!live[i]) continue;
    const s = scores[i]!;
    // position: after every kept candidate that ranks at least as high (ties: lower index first, already kept)
    let pos = m;
    while (pos > 0 && ranksAbove(s, scores[out[pos - 1]!]!)) pos--;
    if (pos >= k) continue;
    const end = m < k ? m : k - 1;
    for (let j = end; j > pos; j--) out[j] = out[j - 1]!;
    out[pos] = i;
    if (m < k) m++;
  }
  return m;
}

/** Whether score a (a later candidate) ranks strictly above b (an earlier one). */
function ranksAbove(a: number, b: number): boolean {
  if (a !== a) return false; // NaN never passes anything
  if (b !== b) return true; // any number passes NaN
  return a > b;
}

/** Score of one critic row: the minimum over the first two ensemble members (one member: itself). NaN if any is NaN. */
export function ensembleScore(values: ArrayLike<number>, row: number, members: number): number {
  const a = values[row * members]!;
  if (members < 2) return a;
  const b = values[row * members + 1]!;
  if (a !== a || b !== b) return NaN;
  return a < b ? a : b;
}
