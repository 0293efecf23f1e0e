/**
 * jest-junit's `testCasePropertiesFile`: the properties `hil/jest` left for each test (its case's rig, image
 * hashes, cut, coverage, status and folder) as `<property>` elements of its `<testcase>`. jest-junit hands this
 * hook the test's result alone, so the fixture files them by the test's full name (rigFixture.ts propertiesFile,
 * which this must match), under `$HIL_REPORT_DIR` or reports/ of the folder jest runs in.
 */
// A CommonJS file (jest-junit require()s it), written in the import form TypeScript has for one.
/* eslint-disable @typescript-eslint/no-require-imports */
import crypto = require('node:crypto');
import fs = require('node:fs');
import path = require('node:path');

export = function junitProperties(test: { fullName?: string; title?: string }): Record<string, string> {
  const name = test.fullName ?? test.title ?? '';
  const reportDir = path.resolve(process.env['HIL_REPORT_DIR'] ?? 'reports');
  const file = path.join(reportDir, '.junit-properties', `${crypto.createHash('sha256').update(name).digest('hex').slice(0, 32)}.json`);
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; properties: Record<string, string> };
    return saved.name === name ? saved.properties : {};
  } catch {
    return {}; // a test that used no rig
  }
};
