import { InvarlockError } from '../../errors/index.js';
import { loadPeftAdapter, resolveQuantRtnConfig, type EditName, type EditPlan, type QuantRtnConfig, type QuantScope } from '../../edits/index.js';

const QUANT_KEYS: Readonly<Record<string, keyof QuantRtnConfig>> = {
  bits: 'bits',
  group_size: 'groupSize',
  clamp_ratio: 'clampRatio',
  scope: 'scope',
  max_modules: 'maxModules',
};

/**
 * Turns a user's edit configuration (snake_case, from config files, flags or Action inputs) into
 * the edits layer's plan. `quant_rtn`: bits, group_size, clamp_ratio, scope (ffn|attn|all),
 * max_modules. `lora`: adapters: [{ path, weight }] (paths relative to `cwd`). `noop`: nothing.
 * Throws `E_EDIT_CONFIG` naming unknown keys or invalid values.
 */
export async function resolveEditPlan(name: EditName, config: Readonly<Record<string, unknown>>, resolvePath: (p: string) => string): Promise<EditPlan> {
  switch (name) {
    case 'noop':
      rejectUnknown(name, config, []);
      return { name, config: {} };
    case 'quant_rtn': {
      rejectUnknown(name, config, Object.keys(QUANT_KEYS));
      const partial: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(config)) partial[QUANT_KEYS[key]!] = value;
      return { name, config: resolveQuantRtnConfig(partial as Partial<QuantRtnConfig> & { scope?: QuantScope }) };
    }
    case 'lora': {
      rejectUnknown(name, config, ['adapters']);
      const list = config.adapters;
      if (!Array.isArray(list) || list.length === 0) {
        throw new InvarlockError('E_EDIT_CONFIG', 'lora edit needs adapters: [{ path, weight? }]', { details: { field: 'edit.config.adapters' } });
      }
      const adapters = await Promise.all(
        list.map(async (entry: unknown, i) => {
          const record = (typeof entry === 'string' ? { path: entry } : entry) as { path?: unknown; weight?: unknown };
          if (typeof record !== 'object' || record === null || typeof record.path !== 'string' || (record.weight !== undefined && typeof record.weight !== 'number')) {
            throw new InvarlockError('E_EDIT_CONFIG', `edit.config.adapters[${i}] must be { path: string, weight?: number }`, { details: { field: `edit.config.adapters[${i}]` } });
          }
          return { adapter: await loadPeftAdapter(resolvePath(record.path)), weight: (record.weight as number | undefined) ?? 1 };
        }),
      );
      return { name, config: { adapters } };
    }
    default: {
      const never: never = name;
      return never;
    }
  }
}

function rejectUnknown(name: string, config: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  const unknown = Object.keys(config).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new InvarlockError('E_EDIT_CONFIG', `unknown ${name} option(s): ${unknown.join(', ')}`, {
      details: { field: `edit.config.${unknown[0]!}`, expected: allowed.length === 0 ? 'no options' : allowed.join(', ') },
    });
  }
}
