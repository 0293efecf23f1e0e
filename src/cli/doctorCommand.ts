import { Project } from '../config/Project.js';
import { ConfigError } from '../core/errors.js';
import { EXIT } from '../core/outcome.js';
import { aptCommand, aptInstall } from '../core/aptInstall.js';
import { FIRMWARE_BUILD_TOOLS, SYSTEM_TOOLS, type ToolName, type ToolNeed } from '../core/systemTools.js';
import { toolStatus, type ToolStatus } from '../core/toolStatus.js';
import { deviceAccess, type AccessFinding } from '../rig/deviceAccess.js';
import { loadRig } from '../rig/RigSpec.js';
import { rigDevices, rigToolNeeds, type RigDevice } from '../rig/rigTools.js';
import type { DoctorOptions } from './commandLine.js';
import { err, out, paint } from './output.js';

/** One tool as the rigs need it: which command, and which rigs' parts run it. */
interface Wanted extends ToolNeed {
  usedBy: string[];
}

interface Checked extends Wanted {
  status: ToolStatus;
}

/** What the project's rigs (or, with --all, every driver and the firmware build) need, one entry per command. */
function wantedTools(all: boolean, rigNeeds: Array<{ rig: string; need: ToolNeed & { part: string } }>): Wanted[] {
  const wanted = new Map<string, Wanted>();
  const add = (need: ToolNeed, user?: string) => {
    const key = `${need.tool}\0${need.command ?? ''}`;
    const entry = wanted.get(key) ?? { ...need, usedBy: [] };
    if (user && !entry.usedBy.includes(user)) entry.usedBy.push(user);
    wanted.set(key, entry);
  };
  for (const { rig, need } of rigNeeds)
    add({ tool: need.tool, ...(need.command ? { command: need.command } : {}) }, `${rig}: ${need.part}`);
  if (all) {
    const named = new Set([...wanted.values()].map((w) => w.tool));
    for (const tool of Object.keys(SYSTEM_TOOLS) as ToolName[]) {
      if (!named.has(tool)) add({ tool }, FIRMWARE_BUILD_TOOLS.includes(tool) ? 'firmware build' : undefined);
    }
  }
  const order = Object.keys(SYSTEM_TOOLS);
  return [...wanted.values()].sort((a, b) => order.indexOf(a.tool) - order.indexOf(b.tool));
}

function missing(c: Checked): boolean {
  return !c.status.path || c.status.missingFiles.length > 0;
}

/** The tool's own command (the rig file names none, or one of the tool's): its Debian package would bring it. */
function standard(c: Checked): boolean {
  return !c.command || SYSTEM_TOOLS[c.tool].commands.includes(c.command);
}

/** The Debian packages that would bring every missing tool; tools Debian does not have are left out. */
function packagesFor(checked: Checked[]): string[] {
  return [...new Set(checked.filter((c) => missing(c) && standard(c)).flatMap((c) => SYSTEM_TOOLS[c.tool].debian ?? []))];
}

function fixFor(c: Checked): string {
  if (!standard(c)) return `install ${c.command} (the rig file names it), or correct the path in the rig file`;
  const debian = SYSTEM_TOOLS[c.tool].debian;
  if (debian) return `${aptCommand(debian)}   (or: hil doctor --install)`;
  return `install ${SYSTEM_TOOLS[c.tool].source ?? c.status.command}`;
}

function row(status: string, color: 'green' | 'red' | 'yellow' | 'gray', subject: string, detail: string, usedBy: string[]): string {
  const used = usedBy.length ? `  [${usedBy.join(', ')}]` : '';
  return `  ${paint(color, status.padEnd(8))} ${subject.padEnd(21)} ${detail}${paint('gray', used)}`;
}

function printTool(c: Checked): void {
  const what = SYSTEM_TOOLS[c.tool].about;
  if (!c.status.path) {
    out(row('MISSING', 'red', c.status.command, what, c.usedBy));
    out(`           fix: ${fixFor(c)}`);
  } else if (c.status.missingFiles.length) {
    out(row('MISSING', 'red', c.status.command, `${c.status.missingFiles.join(', ')} (${what})`, c.usedBy));
    out(`           fix: ${fixFor(c)}`);
  } else {
    out(row('ok', 'green', c.status.command, c.status.version ?? `${c.status.path} (prints no version)`, c.usedBy));
  }
}

function printAccess(f: AccessFinding): void {
  const label = f.status === 'ok' ? 'ok' : f.status === 'note' ? 'note' : 'PROBLEM';
  out(row(label, f.status === 'ok' ? 'green' : f.status === 'note' ? 'yellow' : 'red', f.subject, f.detail, f.usedBy));
  if (f.fix) out(`           fix: ${f.fix}`);
}

/**
 * `hil doctor [--install] [--all]`: is this machine ready for the project's rigs? Every program their drivers run
 * (with the version it reports) and the user's access to their serial ports and USB devices, each problem with the
 * line that fixes it. Exit 0 ready, 1 something is missing, 2 a rig file does not load, 3 an install failed.
 */
export async function doctorCommand(opts: DoctorOptions): Promise<number> {
  const project = new Project();
  const rigNeeds: Array<{ rig: string; need: ToolNeed & { part: string } }> = [];
  const devices: RigDevice[] = [];
  const broken: string[] = [];
  const rigs: string[] = [];
  // Named rigs must exist (a typo is exit 2 before anything is checked); with none named, every rig of the project.
  const chosen = opts.rig.length ? opts.rig.map((ref) => ({ name: ref, file: project.resolve('rigs', ref) })) : project.list('rigs');
  for (const { name, file } of chosen) {
    try {
      const rig = loadRig(file);
      rigs.push(rig.name);
      for (const need of rigToolNeeds(rig)) rigNeeds.push({ rig: rig.name, need });
      for (const device of rigDevices(rig)) devices.push({ ...device, part: `${rig.name}: ${device.part}` });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      broken.push(`${name}: ${error.message.split('\n')[0]}`);
    }
  }

  const wanted = wantedTools(opts.all ?? false, rigNeeds);
  const check = () => Promise.all(wanted.map(async (w): Promise<Checked> => ({ ...w, status: await toolStatus(w) })));
  let checked = await check();

  if (opts.install) {
    const packages = packagesFor(checked);
    if (packages.length) {
      err(`hil doctor: installing ${packages.join(' ')}`);
      try {
        await aptInstall(packages, (chunk) => process.stderr.write(chunk));
      } catch (error) {
        err(`hil doctor: ${(error as Error).message}`);
        return EXIT.rig;
      }
      checked = await check();
    }
  }

  const usbTools = new Map<ToolName, string[]>();
  for (const { rig, need } of rigNeeds) usbTools.set(need.tool, [...(usbTools.get(need.tool) ?? []), `${rig}: ${need.part}`]);
  const access = deviceAccess(devices, usbTools);

  out(
    `hil doctor: ${rigs.length ? `the rigs ${rigs.join(', ')}` : 'no rigs'}${opts.all ? ", every driver's tools and the firmware build" : ''}`,
  );
  for (const c of checked) printTool(c);
  for (const f of access) printAccess(f);
  for (const b of broken) {
    out(row('PROBLEM', 'red', 'rig file', b, []));
    out('           fix: hil validate shows each mistake with its line');
  }

  const problems = checked.filter(missing).length + access.filter((f) => f.status === 'problem').length + broken.length;
  out();
  if (!problems) {
    out(`ready: every tool${access.length ? ' and permission' : ''} the rigs need is here`);
    return EXIT.ok;
  }
  out(`${problems} problem${problems === 1 ? '' : 's'}: see the fix lines above`);
  return broken.length ? EXIT.config : EXIT.failed;
}
