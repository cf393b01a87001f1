/** The trained fixture models (tests/fixtures/models): where they are and how they pair up. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const MODELS_DIR = resolve(import.meta.dirname, '../../fixtures/models');

/** Fixture directories holding a model (config.json + an .onnx file), sorted. */
export function listFixtureModels(): string[] {
  return readdirSync(MODELS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(MODELS_DIR, entry.name, 'config.json')))
    .filter((entry) => readdirSync(join(MODELS_DIR, entry.name)).some((f) => f.endsWith('.onnx')))
    .map((entry) => entry.name)
    .sort();
}

/** The quantized / fp16 twins of a base fixture (`gpt2-tiny` → `gpt2-tiny-fp16`, `gpt2-tiny-int4` …). */
export function twinsOf(base: string): string[] {
  return listFixtureModels().filter((name) => name.startsWith(`${base}-`));
}

export function fixturePath(name: string): string {
  return join(MODELS_DIR, name);
}
