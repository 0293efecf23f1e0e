// Writes the reference parts of docs/rigs.md and docs/steps.md from the schemas (src/cli/referenceDocs.ts), between
// their markers; the prose around them is kept. Run after the build: `npm run docs`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rigReference, stepReference, withGenerated } from '../dist/cli/referenceDocs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  ['docs/rigs.md', rigReference(), 'Rig files'],
  ['docs/steps.md', stepReference(), 'Steps reference'],
];
for (const [file, generated, title] of docs) {
  const path = `${root}${file}`;
  const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const after = withGenerated(before, generated, title);
  if (after !== before) writeFileSync(path, after);
  console.log(`${after === before ? 'same   ' : 'written'} ${file}`);
}
