import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { ToolName } from '../core/systemTools.js';
import type { RigDevice } from './rigTools.js';

/** One finding about the user's access to the rigs' devices: fine, a problem with its fix, or a note. */
export interface AccessFinding {
  status: 'ok' | 'problem' | 'note';
  subject: string;
  detail: string;
  fix?: string;
  /** Rig parts it concerns (`lab3: console`). */
  usedBy: string[];
}

/**
 * Tools that open USB devices themselves: a non-root user needs udev rules giving their group (plugdev) access.
 * `rules` matches the file names of rules that do; `fix` says where such rules come from.
 */
const USB_TOOLS: Partial<Record<ToolName, { rules: RegExp; fix: string }>> = {
  openocd: { rules: /openocd/, fix: "reinstall Debian's openocd, which installs /usr/lib/udev/rules.d/60-openocd.rules" },
  pyocd: { rules: /openocd|pyocd|cmsis/i, fix: "apt-get install openocd: its 60-openocd.rules cover pyOCD's probes" },
  stm32cubeprog: { rules: /stlink|stm32/i, fix: "copy STM32CubeProgrammer's Drivers/rules/*.rules to /etc/udev/rules.d/" },
  usbrelay: { rules: /usbrelay/, fix: "reinstall Debian's usbrelay, which installs /usr/lib/udev/rules.d/92-usbrelay.rules" },
  uhubctl: {
    rules: /hub/,
    fix: 'write /etc/udev/rules.d/52-usb-hub.rules: SUBSYSTEM=="usb", DRIVER=="usb", MODE="0664", GROUP="plugdev" (uhubctl\'s README)',
  },
};
const RULE_DIRS = ['/etc/udev/rules.d', '/usr/lib/udev/rules.d', '/lib/udev/rules.d'];

function udevRules(): string[] {
  return RULE_DIRS.flatMap((dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  });
}
const RELOAD_UDEV = 'sudo udevadm control --reload && sudo udevadm trigger';

/** Group ids by name, from /etc/group (absent entries, say in a container, read as unknown). */
function groupIds(): Map<string, number> {
  const ids = new Map<string, number>();
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , gid] = line.split(':');
      if (name && gid && /^\d+$/.test(gid)) ids.set(name, Number(gid));
    }
  } catch {
    // no /etc/group: membership cannot be told
  }
  return ids;
}

function groupName(gid: number, ids: Map<string, number>): string {
  for (const [name, id] of ids) if (id === gid) return name;
  return String(gid);
}

function readWrite(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** One device node: missing (a note), usable, or what would make it so. */
function deviceFinding(
  path: string,
  part: string,
  user: string,
  ids: Map<string, number>,
  member: (group: string) => boolean,
): AccessFinding {
  if (!existsSync(path))
    return { status: 'note', subject: path, detail: 'not plugged in now (`hil rig check` tests the hardware)', usedBy: [part] };
  if (readWrite(path)) return { status: 'ok', subject: path, detail: 'readable and writable', usedBy: [part] };
  const group = groupName(statSync(path).gid, ids);
  return {
    status: 'problem',
    subject: path,
    detail: `not readable and writable by ${user} (group ${group})`,
    fix: member(group)
      ? `a udev rule giving group ${group} read-write access (MODE="0660"), then ${RELOAD_UDEV}`
      : `sudo usermod -aG ${group} ${user}, then log out and in again`,
    usedBy: [part],
  };
}

/**
 * Can this user open the rigs' serial ports and USB devices? Root can; anyone else needs the group that owns each
 * device (dialout for USB-serial adapters) and, for probes and relays opened through libusb or hidraw, udev rules
 * that give their group access (plugdev on Debian). A device that is not plugged in is a note, not a problem:
 * `hil rig check` is the test of the hardware, this of the machine.
 */
export function deviceAccess(devices: RigDevice[], usbTools: Map<ToolName, string[]>): AccessFinding[] {
  const uid = process.getuid?.() ?? 0;
  const findings: AccessFinding[] = [];
  if (uid === 0) {
    if (devices.length || [...usbTools.keys()].some((tool) => USB_TOOLS[tool]))
      findings.push({ status: 'ok', subject: 'permissions', detail: 'running as root: every device is accessible', usedBy: [] });
    return findings;
  }
  const user = userInfo().username;
  const ids = groupIds();
  const mine = new Set(process.getgroups?.() ?? []);
  const member = (group: string) => {
    const id = ids.get(group);
    return id !== undefined && mine.has(id);
  };

  const ttys = devices.filter((d) => /^\/dev\/(tty|serial\/)/.test(d.path));
  if (ttys.length) {
    findings.push(
      member('dialout')
        ? { status: 'ok', subject: 'dialout group', detail: `${user} is in dialout (serial ports)`, usedBy: ttys.map((d) => d.part) }
        : {
            status: 'problem',
            subject: 'dialout group',
            detail: `${user} is not in the dialout group, which owns USB-serial ports`,
            fix: `sudo usermod -aG dialout ${user}, then log out and in again`,
            usedBy: ttys.map((d) => d.part),
          },
    );
  }
  const byPath = new Map<string, string[]>();
  for (const d of devices) byPath.set(d.path, [...(byPath.get(d.path) ?? []), d.part]);
  for (const [path, parts] of byPath) findings.push(deviceFinding(path, parts.join(', '), user, ids, member));
  const usb = [...usbTools].filter(([tool]) => USB_TOOLS[tool]);
  if (usb.length) {
    const usedBy = usb.flatMap(([, parts]) => parts);
    findings.push(
      member('plugdev')
        ? { status: 'ok', subject: 'plugdev group', detail: `${user} is in plugdev (USB probes and relays)`, usedBy }
        : {
            status: 'problem',
            subject: 'plugdev group',
            detail: `${user} is not in plugdev, the group udev rules give USB probes and relays to`,
            fix: `sudo usermod -aG plugdev ${user}, then log out and in again`,
            usedBy,
          },
    );
    const rules = udevRules();
    for (const [tool, parts] of usb) {
      const { rules: pattern, fix } = USB_TOOLS[tool]!;
      const found = rules.find((r) => pattern.test(r));
      findings.push(
        found
          ? { status: 'ok', subject: `udev rules`, detail: `${found} (${tool})`, usedBy: parts }
          : { status: 'problem', subject: 'udev rules', detail: `none for ${tool}`, fix: `${fix}; then ${RELOAD_UDEV}`, usedBy: parts },
      );
    }
  }
  return findings;
}
