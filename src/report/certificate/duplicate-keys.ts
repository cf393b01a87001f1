/**
 * The first object key that appears twice in one object of a JSON text, or null. `JSON.parse`
 * keeps the last of two equal keys, so a certificate prefixed with `{"verdict":{"status":"pass"},…`
 * would read differently to a parser that keeps the first: a certificate must mean one thing.
 *
 * Call it on text that `JSON.parse` accepted: the scan only tracks strings, braces, brackets,
 * colons and commas (no recursion, so nesting depth costs nothing). Keys are compared decoded
 * (`"a"` and `"\u0061"` are the same key). `path` names the object (`$.verdict`).
 * @internal
 */
export function findDuplicateKey(text: string): { readonly key: string; readonly path: string; readonly offset: number } | null {
  interface Frame {
    readonly keys: Set<string> | null;
    expectKey: boolean;
    index: number;
    lastKey: string;
  }
  const stack: Frame[] = [];
  const pathOf = (): string => {
    let path = '$';
    for (let i = 0; i < stack.length - 1; i++) {
      const f = stack[i];
      if (f === undefined) break;
      path += f.keys === null ? `[${f.index}]` : `.${f.lastKey}`;
    }
    return path;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 0x5c /* \ */) {
          escaped = true;
          i++;
        } else if (c === 0x22) break;
      }
      const top = stack.at(-1);
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const raw = text.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return { key, path: pathOf(), offset: start };
        top.keys.add(key);
        top.lastKey = key;
        top.expectKey = false;
      }
    } else if (ch === 0x7b /* { */) {
      stack.push({ keys: new Set(), expectKey: true, index: 0, lastKey: '' });
    } else if (ch === 0x5b /* [ */) {
      stack.push({ keys: null, expectKey: false, index: 0, lastKey: '' });
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop();
    } else if (ch === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top !== undefined) {
        if (top.keys === null) top.index++;
        else top.expectKey = true;
      }
    }
  }
  return null;
}
