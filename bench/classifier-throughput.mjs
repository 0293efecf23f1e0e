#!/usr/bin/env node
// Classifier + expectation model throughput, printed in lines per second (goal: 50,000 or more). The shipped
// rollback-powerfail scenario's patterns and model are fed a recorded virtual-board console (a cut mid-copy
// and a second rollback) over and over, with its power and button events, on a simulated clock so no timer
// fires. Every line goes through classify + model, as in a run. Uses the build (npm run build first).
// Usage: node bench/classifier-throughput.mjs [seconds=3]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SimulatedClock } from 'xstate';
import { loadScenario } from '../dist/scenario/Scenario.js';
import { createExpectation } from '../dist/expect/ExpectationModel.js';
import { Timeline } from '../dist/core/Timeline.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = Number(process.argv[2] ?? 3);
const scenario = loadScenario('scenarios/rollback-powerfail.yaml', root);
const transcript = readFileSync(new URL('../test/expect/fixtures/rollback-powercut-good.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((text) => (text.startsWith('#> ') ? { event: text.slice(3).split(' ') } : { text, raw: Buffer.from(`${text}\r\n`) }));

const clock = new SimulatedClock();
const timeline = new Timeline();
let events = 0;
timeline.subscribe(() => events++);
const x = createExpectation(scenario.expect, { timeline, clock });

let lines = 0;
let t = 0;
const t0 = performance.now();
const until = t0 + seconds * 1000;
while (performance.now() < until) {
  for (let n = 0; n < 100; n++) {
    for (const item of transcript) {
      t += 0.01;
      if (item.event) x.send({ type: item.event[0], t, detail: item.event[1] });
      else {
        x.feedLine({ t, text: item.text, raw: item.raw });
        lines++;
      }
    }
    x.send({ type: 'POWER_OFF', t });
  }
  if (x.failure()) throw new Error(`the model failed: ${x.failure().message}`);
}
const elapsed = (performance.now() - t0) / 1000;
x.stop();
console.log(
  `classifier + model (rollback-powerfail, ${transcript.length}-line transcript replayed): ${Math.round(lines / elapsed).toLocaleString('en-US')} lines/s (${lines.toLocaleString('en-US')} lines in ${elapsed.toFixed(2)} s, ${events.toLocaleString('en-US')} timeline events)`,
);
