#!/usr/bin/env node
import { existsSync } from 'node:fs';

import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    // A clone has scripts/bootstrap; an installed package has no scripts/ and should always carry dist/.
    const clone = existsSync(new URL('../scripts/bootstrap', import.meta.url));
    process.stderr.write(
      clone
        ? 'hil: not built yet; run scripts/bootstrap (or npm run build) first\n'
        : 'hil: this installation has no built code (dist/ is missing); reinstall hil (npm i -D hil, or from its git URL, which builds it)\n',
    );
    process.exit(2);
  }
  throw err;
});
