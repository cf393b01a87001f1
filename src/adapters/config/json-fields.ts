/**
 * Typed reads of fields from a parsed JSON object, collecting every problem instead of stopping at
 * the first, so one `E_CONFIG_JSON` can list them all (STYLE.md §3).
 * @internal
 */
export class FieldReader {
  readonly problems: string[] = [];

  constructor(
    private readonly object: Readonly<Record<string, unknown>>,
    /** Prefix of field paths in problems, e.g. `model.decoder.` */
    private readonly prefix = '',
  ) {}

  /** The first present field among `names` (aliases), as `[name, value]`, or undefined. */
  private pick(names: readonly string[]): [string, unknown] | undefined {
    for (const name of names) {
      const value = this.object[name];
      if (value !== undefined && value !== null) return [name, value];
    }
    return undefined;
  }

  /** A non-empty string, or null when absent. */
  string(...names: string[]): string | null {
    const found = this.pick(names);
    if (found === undefined) return null;
    if (typeof found[1] !== 'string' || found[1].length === 0) {
      this.problems.push(`${this.prefix}${found[0]}: expected a non-empty string, got ${describeValue(found[1])}`);
      return null;
    }
    return found[1];
  }

  /** An integer ≥ `min`, or null when absent. */
  integer(min: number, ...names: string[]): number | null {
    const found = this.pick(names);
    if (found === undefined) return null;
    if (typeof found[1] !== 'number' || !Number.isSafeInteger(found[1]) || found[1] < min) {
      this.problems.push(`${this.prefix}${found[0]}: expected an integer >= ${min}, got ${describeValue(found[1])}`);
      return null;
    }
    return found[1];
  }

  /** A boolean, or null when absent. */
  boolean(...names: string[]): boolean | null {
    const found = this.pick(names);
    if (found === undefined) return null;
    if (typeof found[1] !== 'boolean') {
      this.problems.push(`${this.prefix}${found[0]}: expected true or false, got ${describeValue(found[1])}`);
      return null;
    }
    return found[1];
  }

  /** A list of non-empty strings, or null when absent. */
  strings(name: string): string[] | null {
    const value = this.object[name];
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string' && item.length > 0)) {
      this.problems.push(`${this.prefix}${name}: expected a list of strings, got ${describeValue(value)}`);
      return null;
    }
    return value;
  }

  /** A nested JSON object, or null when absent. */
  object_(name: string): Readonly<Record<string, unknown>> | null {
    const value = this.object[name];
    if (value === undefined || value === null) return null;
    if (!isJsonObject(value)) {
      this.problems.push(`${this.prefix}${name}: expected an object, got ${describeValue(value)}`);
      return null;
    }
    return value;
  }

  /** A string → string map (genai IO names), or an empty map when absent. */
  stringMap(name: string): Readonly<Record<string, string>> {
    const value = this.object_(name);
    if (value === null) return {};
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string') out[key] = item;
      else this.problems.push(`${this.prefix}${name}.${key}: expected a string, got ${describeValue(item)}`);
    }
    return out;
  }

  /** Records that a required field is absent. */
  require(name: string, value: unknown): void {
    if (value === null && !this.problems.some((p) => p.startsWith(`${this.prefix}${name}:`))) {
      this.problems.push(`${this.prefix}${name}: required field is missing`);
    }
  }
}

/** True for a plain JSON object (not an array, not null). @internal */
export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
