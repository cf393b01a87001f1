/**
 * Rounds to the nearest integer, ties to the even neighbour (IEEE 754 roundTiesToEven, numpy's
 * `rint`): 0.5 → 0, 1.5 → 2, 2.5 → 2, −2.5 → −2. JavaScript's `Math.round` rounds ties up, which
 * would make indices and quantized values differ from every other tool. The sign of a zero result
 * follows the input (−0.3 → −0), as IEEE rounding does, so quantized weights keep numpy's bits.
 * NaN and ±Infinity are returned unchanged.
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  // x − floor is exact in binary floating point, so the tie test below is exact too.
  const fraction = x - floor;
  let rounded: number;
  if (fraction < 0.5) rounded = floor;
  else if (fraction > 0.5) rounded = floor + 1;
  else rounded = floor % 2 === 0 ? floor : floor + 1;
  return rounded === 0 && (x < 0 || Object.is(x, -0)) ? -0 : rounded;
}
