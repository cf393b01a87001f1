/**
 * Counts the forged certificates `verify` accepts (issue 13): every semantic mutation of every
 * committed certificate fixture, resealed (policy digest, run id and digest recomputed), verified
 * as the CLI does (bundled tiers). Prints, per family, how many were made, how many verify
 * accepted, how many of those changed a decision (verdict, validation flags, guard or tail status)
 * and how many carried a policy other than the fixture's (planned window counts aside).
 *
 *   npx tsx bench/forgery/count.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_POLICIES } from '../../src/core/index.js';
import { verifyCertificate, type Certificate } from '../../src/report/index.js';
import { decisionsOf, guardFlipMutations, leafMutations, loosenedMutations } from '../../tests/report/forgery-mutations.js';

const FIXTURES = join(import.meta.dirname, '../../tests/fixtures/certificates');
const counts: Record<string, { made: number; accepted: number; decisionChanged: number; policyChanged: number }> = {};
const started = Date.now();
for (const name of ['pass', 'warn', 'fail', 'catastrophe', 'accuracy', 'error', 'dev']) {
  const cert = JSON.parse(readFileSync(join(FIXTURES, `${name}.cert.json`), 'utf8')) as Certificate;
  const decisions = decisionsOf(cert as never);
  const { windows: _w, ...policy } = cert.policy;
  for (const m of [...leafMutations(cert), ...loosenedMutations(cert), ...guardFlipMutations(cert)]) {
    const c = (counts[m.family] ??= { made: 0, accepted: 0, decisionChanged: 0, policyChanged: 0 });
    c.made++;
    if (verifyCertificate(JSON.stringify(m.cert), { policy: BUNDLED_POLICIES }).exitCode !== 0) continue;
    c.accepted++;
    if (decisionsOf(m.cert) !== decisions) c.decisionChanged++;
    const { windows: _mw, ...forged } = m.cert['policy'] as unknown as Certificate['policy'];
    if (JSON.stringify(forged) !== JSON.stringify(policy)) c.policyChanged++;
  }
}
console.log(JSON.stringify({ counts, seconds: (Date.now() - started) / 1000 }, null, 2));
