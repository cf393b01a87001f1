/** The trained fixture models (tests/fixtures/models, listed in its MANIFEST.json) and how they pair up. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MODELS_DIR = resolve(import.meta.dirname, '../../fixtures/models');

/** The MANIFEST.json fields these tests use: PyTorch's own parameter count is the oracle for describe(). */
export interface FixtureEntry {
  readonly name: string;
  readonly role: 'base' | 'twin';
  readonly base: string | null;
  readonly kind: 'causal' | 'mlm';
  readonly model_type: string;
  readonly architecture: string;
  readonly quantization: 'fp16' | 'int8-qdq' | 'int8-dynamic' | 'int4' | null;
  readonly param_count: number;
}

function isEntry(value: unknown): value is FixtureEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['name'] === 'string' && typeof v['model_type'] === 'string' && typeof v['param_count'] === 'number' && (v['role'] === 'base' || v['role'] === 'twin');
}

const parsed: unknown = JSON.parse(readFileSync(join(MODELS_DIR, 'MANIFEST.json'), 'utf8'));
const models: unknown = typeof parsed === 'object' && parsed !== null && 'models' in parsed ? parsed.models : [];
/** Every model of the manifest. */
export const FIXTURES: readonly FixtureEntry[] = Array.isArray(models) ? models.filter(isEntry) : [];

/** Fixture model names, sorted. */
export function listFixtureModels(): string[] {
  return FIXTURES.map((f) => f.name).sort();
}

/** The quantized / fp16 twins of a base fixture, by the manifest's `base`. */
export function twinsOf(base: string): string[] {
  return FIXTURES.filter((f) => f.base === base).map((f) => f.name).sort();
}

export function fixturePath(name: string): string {
  return join(MODELS_DIR, name);
}
