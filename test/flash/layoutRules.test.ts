import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { checkLayout, layoutSchema, resolveRegions } from '../../src/flash/layoutRules.js';

const layout = (yaml: string) => layoutSchema.parse(parse(yaml));

/** Seed 000: FRDM-K64F, 1 MiB of 4 KiB sectors, KVStore 2 x 4 KiB after a 32 KiB bootloader, candidate on SD. */
const K64F = `
flash: { base: 0x0, sectors: [[256, 4K]], page: 8 }
external: { sd: { sectors: [[8M, 512]], page: 512 } }
regions:
  bootloader: [0x0, 32K]
  kvstore: [0x8000, 8K]
  header: [0xa000, 1K]
  app: [0xa400, ...]
  sd_kvstore: { device: sd, offset: 0, size: 64M, role: kvstore }
  candidate: { device: sd, offset: 64M, size: 0xf5c00 }
`;

/** Seed 001: NUCLEO-F429ZI, two banks of 4 x 16K, 1 x 64K, 7 x 128K; KVStore 128 KiB at the start of bank 2. */
const F429 = `
flash: { base: 0x08000000, banks: 2, sectors: [[4, 16K], [1, 64K], [7, 128K]] }
regions:
  bootloader: [0x0, 32K]
  header: [0x8000, 1K]
  app: [0x8400, ...]
  kvstore: [1M, 128K]
  candidate: [0x120000, ...]
`;

/** Seed 004: PSoC 6 2 MiB internal flash in 512-byte rows, factory image in the first MiB of the 64 MiB QSPI NOR. */
const PSOC6 = `
flash: { base: 0x10000000, sectors: [[4096, 512]], page: 512 }
external: { qspi: { base: 0x18000000, sectors: [[256, 256K]], page: 512 } }
regions:
  bootloader: [0x0, 96 KB]
  primary: [0x18000, 0xEE000]
  secondary: [0x106000, 0xEE000]
  scratch: [0x1F4000, 4K]
  rfu: [0x1F5000, 44K]
  factory: { device: qspi, offset: 0, size: 1M }
  user: { device: qspi, offset: 1M, size: ... }
`;

const messages = (yaml: string) => checkLayout(layout(yaml)).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('layout rules', () => {
  it.each([
    ['FRDM-K64F', K64F],
    ['NUCLEO-F429ZI', F429],
    ['PSoC 6', PSOC6],
  ])('accepts the %s seed layout', (_name, yaml) => {
    expect(messages(yaml)).toEqual([]);
  });

  it('resolves "..." up to the next region, or to the end of the device', () => {
    const regions = Object.fromEntries(resolveRegions(layout(F429)).map((r) => [r.name, r]));
    expect(regions.app).toMatchObject({ offset: 0x8400, size: 0x100000 - 0x8400, address: 0x08008400, role: 'app' });
    expect(regions.candidate).toMatchObject({ offset: 0x120000, size: 0x200000 - 0x120000, role: 'candidate' });
    expect(regions.kvstore).toMatchObject({ address: 0x08100000, role: 'kvstore' });
    const psoc = Object.fromEntries(resolveRegions(layout(PSOC6)).map((r) => [r.name, r]));
    expect(psoc.factory).toMatchObject({ device: 'qspi', address: 0x18000000, size: 0x100000, role: 'factory' });
    expect(psoc.primary).toMatchObject({ role: 'slot', address: 0x10018000 });
  });

  it('rejects a region running past the end of the flash, naming both ends', () => {
    const out = messages(F429.replace('candidate: [0x120000, ...]', 'candidate: [0x120000, 1M]'));
    expect(out).toEqual([
      'layout.regions.candidate: inside-device: region candidate 0x120000..0x220000 (0x08120000..0x08220000) (1 MiB) ends past the end of flash at 0x200000 (2 MiB)',
    ]);
  });

  it('hints at absolute addresses given where offsets are expected', () => {
    const out = messages(F429.replace('bootloader: [0x0, 32K]', 'bootloader: [0x08000000, 32K]'));
    expect(out[0]).toMatch(/^layout\.regions\.bootloader: inside-device: .*offsets are relative to the base 0x08000000/);
  });

  it('rejects overlapping regions on the same device only', () => {
    const out = messages(K64F.replace('kvstore: [0x8000, 8K]', 'kvstore: [0x8000, 12K]'));
    expect(out).toEqual([
      'layout.regions.header: no-overlap: region header 0xa000..0xa400 overlaps kvstore 0x8000..0xb000 by 1 KiB',
      'layout.regions.app: no-overlap: region app 0xa400..0x100000 overlaps kvstore 0x8000..0xb000 by 3 KiB',
    ]);
  });

  it('rejects an active-app header that is not on an erase-sector boundary', () => {
    const out = messages(K64F.replace('header: [0xa000, 1K]', 'header: [0xa200, 0x200]'));
    expect(out).toEqual([
      'layout.regions.header: header-on-sector-boundary: header header starts at 0xa200, inside erase sector 10 (0xa000..0xb000, 4 KiB); the active app header must start on an erase-sector boundary',
    ]);
  });

  it('rejects an app start not aligned to the vector table, and honours a configured alignment', () => {
    const shifted = K64F.replace('header: [0xa000, 1K]', 'header: [0xa000, 0x200]').replace('app: [0xa400, ...]', 'app: [0xa200, ...]');
    expect(messages(shifted)).toEqual([
      'layout.regions.app: app-vector-aligned: app app starts at 0xa200, not a multiple of the vector table alignment 0x400 (1 KiB); 0x200 bytes past 0xa000',
    ]);
    expect(messages(`vectorAlign: 512\n${shifted}`)).toEqual([]);
  });

  it('rejects an app start not aligned to the flash page', () => {
    const out = messages(K64F.replace('page: 8', 'page: 2K'));
    expect(out).toEqual([
      'layout.regions.app: app-page-aligned: app app starts at 0xa400, not a multiple of the flash page size 0x800 (2 KiB)',
    ]);
  });

  it('rejects a KVStore of one erase sector, and one with ragged edges', () => {
    const one = K64F.replace('kvstore: [0x8000, 8K]', 'kvstore: [0x8000, 4K]');
    expect(messages(one)).toEqual([
      'layout.regions.kvstore: kvstore-two-sectors: kvstore kvstore 0x8000..0x9000 (4 KiB) spans 1 whole erase sector; KVStore needs at least 2 whole sectors',
    ]);
    const split = F429.replace('kvstore: [1M, 128K]', 'kvstore: [0x102000, 0x1e000]');
    expect(messages(split)).toEqual([
      'layout.regions.kvstore: kvstore-two-sectors: kvstore kvstore 0x102000..0x120000 (0x08102000..0x08120000) (120 KiB) spans 4 whole erase sectors and does not start and end on erase-sector boundaries (an erase would take a neighbour with it); KVStore needs at least 2 whole sectors',
    ]);
  });

  it('rejects a region on a device the layout does not define', () => {
    const out = messages(PSOC6.replace('device: qspi, offset: 0', 'device: spi, offset: 0'));
    expect(out).toEqual([
      'layout.regions.factory.device: known-device: region factory is on device "spi", which the layout does not define (devices: flash, qspi)',
    ]);
  });

  it('rejects a "..." region with no room before the next one', () => {
    const out = messages(`${F429}  spare: [2M, ...]\n`);
    expect(out).toEqual([
      'layout.regions.spare: region-size: region spare at 0x200000 is empty ("..." leaves no room before the next region or the device end)',
    ]);
  });

  it('rejects sizes it cannot read, through the schema', () => {
    const result = layoutSchema.safeParse(parse('flash: { sectors: [[4, 16Q]] }'));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['flash', 'sectors', 0, 1], message: expect.stringContaining('32K') });
  });
});
