import { ConfigError } from '../core/errors.js';

/** `--param k=v` and `--image NAME=PATH` given several times, as a map; an item without `=` is exit 2. */
export function parsePairs(option: string, list: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new ConfigError({ file: 'command line', field: option, message: `expected NAME=VALUE, got ${JSON.stringify(item)}` });
    params[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return params;
}
