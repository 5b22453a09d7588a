// Smoke test of the built packages: each one must load with require() and with import, and
// expose the same names both ways.
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
let passed = 0;
let failed = 0;
for (const dir of readdirSync(packagesDir)) {
  const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8'));
  const name = manifest.name;
  // Resolve from inside the package so its own name resolves through its exports map.
  const require = createRequire(join(packagesDir, dir, 'package.json'));
  try {
    const cjs = require(name);
    const esm = await import(require.resolve(name));
    const cjsNames = Object.keys(cjs)
      .filter((k) => k !== '__esModule')
      .sort();
    const esmNames = Object.keys(esm)
      .filter((k) => k !== 'default' && k !== 'module.exports')
      .sort();
    if (cjsNames.length === 0) throw new Error('exports nothing');
    const missing = cjsNames.filter((n) => !esmNames.includes(n));
    if (missing.length > 0) throw new Error(`import() lacks: ${missing.join(', ')}`);
    console.log(`smoke: ${name} ok (${cjsNames.length} exports via require and import)`);
    passed++;
  } catch (error) {
    console.error(`smoke: ${name} FAILED: ${error.message}`);
    failed++;
  }
}
console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
