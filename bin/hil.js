#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// Console patterns run on every line a board prints, garbage included: let V8 fall back to its linear-time
// regexp engine when a pattern starts backtracking excessively. Set before any pattern is compiled.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('hil: not built yet; run scripts/bootstrap (or npm run build) first\n');
    process.exit(2);
  }
  throw err;
});
