#!/usr/bin/env node
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('hil: not built yet; run scripts/bootstrap (or npm run build) first\n');
    process.exit(2);
  }
  throw err;
});
