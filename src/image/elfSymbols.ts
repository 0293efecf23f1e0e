import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** What a scenario or rig may name in an ELF: its symbols, and the machine its calling convention follows. */
export interface ElfSymbols {
  /** `e_machine`: 40 ARM, 183 AArch64, 243 RISC-V. */
  machine: number;
  symbols: ReadonlySet<string>;
}

/** A firmware ELF is a few MB at most; a larger file is not read whole to look for a name. */
const MAX_ELF_BYTES = 256 * 1024 * 1024;

const SHT_SYMTAB = 2;
const SHT_DYNSYM = 11;
const STT_SECTION = 3;
const STT_FILE = 4;

const cache = new Map<string, { stamp: string; elf: ElfSymbols }>();

/**
 * The named symbols of an ELF file (its symbol tables), read without a debugger: a scenario's cut symbol or a
 * rig's flash function is checked when the files load, before a rig is leased. Throws an Error saying what is
 * wrong with the file (not an ELF, truncated, stripped of its symbols); the caller places it in the config.
 */
export function elfSymbols(path: string): ElfSymbols {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
    const cached = cache.get(path);
    if (cached?.stamp === stamp) return cached.elf;
    if (st.size > MAX_ELF_BYTES) throw new Error(`${st.size} bytes: larger than an ELF hil reads (${MAX_ELF_BYTES})`);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) break;
      at += n;
    }
    const elf = parseElf(buf.subarray(0, at));
    cache.set(path, { stamp, elf });
    return elf;
  } finally {
    closeSync(fd);
  }
}

function parseElf(buf: Buffer): ElfSymbols {
  if (buf.length < 52 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  const wide = buf[4] === 2;
  const little = buf[5] !== 2;
  if (wide && buf.length < 64) throw new Error('a truncated ELF file');
  const u16 = (o: number) => (little ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (little ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const addr = (o: number) => (wide ? Number(little ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const inside = (o: number, n: number) => o >= 0 && n >= 0 && o + n <= buf.length;
  const machine = u16(18);
  const shoff = addr(wide ? 0x28 : 0x20);
  const shentsize = u16(wide ? 0x3a : 0x2e);
  const shnum = u16(wide ? 0x3c : 0x30);
  if (!inside(shoff, shentsize * shnum) || shentsize < (wide ? 64 : 40)) throw new Error('a truncated ELF file (its section headers)');
  const section = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      type: u32(o + 4),
      offset: addr(o + (wide ? 0x18 : 0x10)),
      size: addr(o + (wide ? 0x20 : 0x14)),
      link: u32(o + (wide ? 0x28 : 0x18)),
      entsize: addr(o + (wide ? 0x38 : 0x24)),
    };
  };
  const symbols = new Set<string>();
  let tables = 0;
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.link >= shnum) continue;
    const strtab = section(s.link);
    const entsize = s.entsize || (wide ? 24 : 16);
    if (!inside(s.offset, s.size) || !inside(strtab.offset, strtab.size)) throw new Error('a truncated ELF file (its symbol table)');
    tables++;
    for (let o = s.offset; o + entsize <= s.offset + s.size; o += entsize) {
      const name = u32(o);
      // Code and data only: not section and file symbols, which name no location a cut could stop at.
      const type = buf[o + (wide ? 4 : 12)]! & 0xf;
      if (name === 0 || name >= strtab.size || type === STT_SECTION || type === STT_FILE) continue;
      const start = strtab.offset + name;
      const end = buf.indexOf(0, start);
      if (end < 0 || end > strtab.offset + strtab.size) continue;
      const text = buf.toString('latin1', start, end);
      // ARM's mapping symbols ($t, $d, $a) mark code and data inside a section; no one names them.
      if (!text.startsWith('$')) symbols.add(text);
    }
  }
  if (!tables) throw new Error('an ELF file without a symbol table (stripped)');
  return { machine, symbols };
}

/**
 * The registers a function's arguments arrive in at its first instruction, by the machine's calling convention
 * (with the names gdb also knows them by); undefined for a machine hil does not know the convention of.
 */
export function argumentRegisters(machine: number): { abi: string; names: readonly string[] } | undefined {
  return CONVENTIONS[machine];
}

const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

const CONVENTIONS: Record<number, { abi: string; names: readonly string[] }> = {
  40: { abi: 'ARM (AAPCS)', names: [...range('r', 0, 3), ...range('a', 1, 4)] },
  183: { abi: 'AArch64', names: [...range('x', 0, 7), ...range('w', 0, 7)] },
  243: { abi: 'RISC-V', names: [...range('a', 0, 7), ...range('x', 10, 17)] },
};

/**
 * Where an image's symbols are: the image itself when it is an ELF, else the same path with `.elf`
 * (build/bootloader.bin → build/bootloader.elf), so `--image bootloader=variant.bin` brings its own along.
 */
export function elfBeside(imagePath: string): string {
  return /\.elf$/i.test(imagePath) ? imagePath : imagePath.replace(/(\.[^./]*)?$/, '.elf');
}
