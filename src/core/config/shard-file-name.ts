/**
 * The file a shard job writes its partial result to: named for what it holds, so the partials of a
 * matrix never overwrite each other when collected into one folder. `shard` is 0-based, the name
 * 1-based as users count (`shard-2-of-4.partial.json`); with several subjects the subject's slug
 * leads (`int8.shard-2-of-4.partial.json`). Every partial also records its plan and shard inside.
 */
export function shardPartialFileName(shard: { readonly index: number; readonly count: number }, subjectSlug: string | null = null): string {
  const name = `shard-${shard.index + 1}-of-${shard.count}.partial.json`;
  return subjectSlug === null ? name : `${subjectSlug}.${name}`;
}
