/**
 * Rounds to the nearest integer, ties to the even neighbour (ALGORITHMS.md §7): 2.5 → 2, 3.5 → 4,
 * −2.5 → −2. JavaScript's Math.round rounds ties up, which biases quantized values.
 * Non-finite input is returned unchanged.
 */
export function roundHalfEven(x: number): number {
  const nearest = Math.round(x);
  // Only an exact .5 fraction is a tie; every other value rounds the same both ways.
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : nearest;
}
