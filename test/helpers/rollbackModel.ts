/** The flagship scenario's expectation, as the loader hands it over (regexes compiled, model as plain data). */
export const patterns = [
  { name: 'BANNER', regex: /MCUboot Bootloader Started/ },
  { name: 'NO_IMAGE', regex: /No valid image/ },
  { name: 'COPY', regex: /Rollback initiated|Copying factory/ },
  { name: 'FACTORY', regex: /Factory app v(?<version>\S+) running/ },
];

export const forbidden = [
  { source: 'HardFault', regex: /HardFault/ },
  { source: 'Assertion failed', regex: /Assertion failed/ },
];

export const patternNames = patterns.map((p) => p.name);

export function rollbackModel(): Record<string, unknown> {
  return {
    initial: 'off',
    on: { POWER_OFF: '.off' },
    states: {
      off: { on: { POWER_ON: 'booting' } },
      booting: { on: { BANNER: 'bootloader' }, after: { 3000: '#fail.no-banner' } },
      bootloader: {
        initial: 'checking',
        states: {
          checking: { on: { NO_IMAGE: 'no-image', FACTORY: '#factory-running' }, after: { '2s': '#fail.stuck' } },
          'no-image': { on: { BUTTON_DOWN: { target: 'held', when: { output: 'user' } } } },
          held: { on: { COPY: 'copying', BUTTON_UP: 'no-image' } },
          copying: {
            on: {
              FACTORY: [{ target: '#factory-running', when: { version: ['1.0.0', '1.0.1'] } }, { target: '#fail.wrong-version' }],
            },
            after: { '10s': '#fail.copy-hung' },
          },
        },
      },
      'factory-running': { id: 'factory-running', strict: true, on: { BANNER: 'bootloader' } },
    },
  };
}
