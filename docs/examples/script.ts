import { openBoard, runScenarios, validate } from 'hil';

const problems = validate().flatMap((v) => v.issues); // hil validate: every rig and scenario, file:line issues
const result = await runScenarios('rollback-powerfail', { params: { cut_after: '60ms' } }); // results.json's content
console.log(
  problems.length,
  result.cases.map((c) => c.status),
);
await using board = await openBoard('virtual', { name: 'bring-up', model: 'rollback-powerfail' });
await board.power.on();
await board.console.expect('MCUboot Bootloader Started');
