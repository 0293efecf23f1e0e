import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** One partition line of an STM32CubeProgrammer flash layout (`#Opt Id Name Type IP Offset Binary`). */
export interface FlashLayoutEntry {
  line: number;
  opt: string;
  id: number;
  name: string;
  type: string;
  ip: string;
  offset: string;
  /** As written; undefined for `none`. */
  binary?: string;
}

export interface FlashLayoutProblem {
  file: string;
  line: number;
  message: string;
}

const FIELDS = ['Opt', 'Id', 'Name', 'Type', 'IP', 'Offset', 'Binary'];

/**
 * Parses a flash layout .tsv. Fields are tab-separated; empty fields from doubled tabs are dropped, as the tool
 * tolerates them (the STM32MP1 seed's `mmc0\t\t0x0` line). `#` starts a comment line.
 */
export function parseFlashLayout(text: string, file: string): { entries: FlashLayoutEntry[]; problems: FlashLayoutProblem[] } {
  const entries: FlashLayoutEntry[] = [];
  const problems: FlashLayoutProblem[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim() || raw.trimStart().startsWith('#')) return;
    const fields = raw
      .split('\t')
      .map((f) => f.trim())
      .filter(Boolean);
    if (fields.length !== FIELDS.length) {
      problems.push({ file, line, message: `expected ${FIELDS.length} tab-separated fields (${FIELDS.join(' ')}), got ${fields.length}` });
      return;
    }
    const [opt, id, name, type, ip, offset, binary] = fields as [string, string, string, string, string, string, string];
    if (!/^0x[0-9a-f]{1,2}$/i.test(id)) {
      problems.push({ file, line, message: `partition Id ${JSON.stringify(id)} is not a hex byte such as 0x01` });
      return;
    }
    entries.push({ line, opt, id: parseInt(id, 16), name, type, ip, offset, binary: binary.toLowerCase() === 'none' ? undefined : binary });
  });
  const seen = new Map<number, number>();
  for (const e of entries) {
    const first = seen.get(e.id);
    if (first !== undefined)
      problems.push({ file, line: e.line, message: `partition Id 0x${e.id.toString(16).padStart(2, '0')} is also used on line ${first}` });
    else seen.set(e.id, e.line);
  }
  return { entries, problems };
}

/** An entry the tool will read a file for: loaded to RAM (`-`) or programmed (`P...`), and not `none`. */
export function needsBinary(entry: FlashLayoutEntry): boolean {
  return entry.binary !== undefined && (entry.opt === '-' || entry.opt.toUpperCase().includes('P'));
}

/**
 * Reads a layout and checks that every binary it names exists, relative to `binariesDir` (the tool's working
 * directory), so a missing image fails before the board is touched; each problem names the file and line.
 */
export async function checkFlashLayout(
  file: string,
  binariesDir: string,
): Promise<{ entries: FlashLayoutEntry[]; problems: FlashLayoutProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { entries: [], problems: [{ file, line: 0, message: `cannot read the flash layout: ${(err as Error).message}` }] };
  }
  const parsed = parseFlashLayout(text, file);
  for (const entry of parsed.entries.filter(needsBinary)) {
    const path = resolve(binariesDir, entry.binary!);
    if (!existsSync(path))
      parsed.problems.push({
        file,
        line: entry.line,
        message: `partition ${entry.name}: binary ${entry.binary} not found (looked for ${path})`,
      });
  }
  if (parsed.entries.length === 0 && parsed.problems.length === 0)
    parsed.problems.push({ file, line: 0, message: 'no partitions in the flash layout' });
  return parsed;
}
