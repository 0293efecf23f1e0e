import { duration } from '../core/duration.js';
import { sleep } from '../core/sleep.js';
import { defineStep } from './Step.js';

/** `sleep: 2s` */
export const sleepStep = defineStep({
  key: 'sleep',
  example: `- sleep: 500ms`,
  description: 'do nothing for a while (the model keeps running)',
  schema: duration.describe('how long'),
  timeoutMs: (ms) => ms + 5_000,
  describe: (ms) => `sleep ${ms}ms`,
  run: (ms, ctx) => sleep(ms, ctx.signal),
});
