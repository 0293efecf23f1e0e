import { expect, test } from '@jest/globals';
import { useRig } from 'hil/jest';

// The virtual rig for this file; each test gets a board, recorded under reports/ and powered off at its end.
// The scenario's expectation model runs alongside: a forbidden line (a HardFault) fails the test.
const board = useRig('virtual', { model: 'rollback-powerfail' });

test('a power cut mid-rollback is detected, and a second rollback brings the factory app back', async () => {
  const b = board();
  await b.flash({ erase: ['primary', 'secondary', 'factory'], images: ['bootloader', 'factory'] });
  await b.power.on();
  await b.console.expect('MCUboot Bootloader Started', { timeout: '5s' });
  await b.console.expect('No valid image found', { timeout: '5s' });

  await b.button('user').press({ hold: '20ms' }); // starts the rollback
  const cut = await b.cut({ on: /Copying factory image 40%/ });
  expect(cut.state).toBe('copying');

  await b.power.on();
  await b.console.expect('No valid image found', { timeout: '5s' }); // the half-copied slot is never booted
  await b.button('user').press({ hold: '20ms' });
  const app = await b.console.expect(/Factory app v(?<version>\S+) running/, { timeout: '10s' });
  expect(app.groups['version']).toBe('1.0.0');
  await b.inspect({ region: 'primary', holds: 'factory' });
});
