import { expectTypeOf } from 'vitest';
import type { Certificate } from '../../src/report/index.js';
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
type NoOptionalDeep<T> = T extends string | number | boolean | null ? true : T extends readonly (infer U)[] ? NoOptionalDeep<U> : string extends keyof T ? true : [OptionalKeys<T>] extends [never] ? false extends { [K in keyof T]-?: NoOptionalDeep<T[K]> }[keyof T] ? false : true : false;
type Broken = Omit<Certificate, 'tail'> & { tail: Omit<Certificate['tail'], 'max'> & { max?: number | null } };
expectTypeOf<NoOptionalDeep<Broken>>().toEqualTypeOf<true>();
