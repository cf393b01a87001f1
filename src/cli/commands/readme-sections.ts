import { InvarlockError } from '../../errors/index.js';

/** Replaces the text between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`. */
export function replaceGeneratedSection(text: string, name: string, body: string): string {
  const start = `<!-- generated:${name}:start -->`;
  const end = `<!-- generated:${name}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new InvarlockError('E_INTERNAL', `README has no generated section '${name}'`, { details: { field: name } });
  return `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`;
}
