/**
 * The programs hil runs that are not npm packages: what each is for, the commands that provide it, the Debian
 * package it comes in (or where to get it when Debian has none) and how to ask its version. Drivers name the tools
 * they need from here (`tools` in their definition) and `hil doctor` checks and installs what the rigs need.
 */
export interface SystemTool {
  /** What hil uses it for, as `hil doctor` prints it. */
  about: string;
  /** Commands that provide it, preferred first; any one on PATH will do. */
  commands: readonly string[];
  /** Debian packages that install the first command (and `files`); absent when Debian has none. */
  debian?: readonly string[];
  /** Files it needs besides the command (newlib's headers for the Arm GCC). */
  files?: readonly string[];
  /** Where to get it when Debian has no package. */
  source?: string;
  /** Arguments that make the command print its version. */
  versionArgs: readonly string[];
}

const TOOLS = {
  qemu: {
    about: 'the virtual board (QEMU)',
    commands: ['qemu-system-arm'],
    debian: ['qemu-system-arm'],
    versionArgs: ['--version'],
  },
  gdb: {
    about: 'flashing, reading and breakpoints through a GDB server or QEMU',
    commands: ['gdb-multiarch'],
    debian: ['gdb-multiarch'],
    versionArgs: ['--version'],
  },
  openocd: { about: 'OpenOCD probes', commands: ['openocd'], debian: ['openocd'], versionArgs: ['--version'] },
  pyocd: {
    about: "pyOCD probes (pyocd, or Debian's pyOCD 0.13 tools run by /usr/bin/python3)",
    commands: ['pyocd', 'pyocd-flashtool'],
    debian: ['python3-pyocd'],
    versionArgs: ['--version'],
  },
  stm32cubeprog: {
    about: 'STM32CubeProgrammer probes',
    commands: ['STM32_Programmer_CLI'],
    source:
      'STM32CubeProgrammer from https://www.st.com/en/development-tools/stm32cubeprog.html (not in Debian); put its bin/ folder on PATH',
    versionArgs: ['--version'],
  },
  usbrelay: { about: 'HID USB relay boards', commands: ['usbrelay'], debian: ['usbrelay'], versionArgs: ['--version'] },
  gpiod: { about: 'GPIO lines (libgpiod tools)', commands: ['gpioset'], debian: ['gpiod'], versionArgs: ['--version'] },
  uhubctl: { about: 'USB hub port power', commands: ['uhubctl'], debian: ['uhubctl'], versionArgs: ['-v'] },
  make: { about: 'the firmware build', commands: ['make'], debian: ['make'], versionArgs: ['--version'] },
  armGcc: {
    about: 'the firmware build (Arm GCC and newlib)',
    commands: ['arm-none-eabi-gcc'],
    debian: ['gcc-arm-none-eabi', 'libnewlib-arm-none-eabi'],
    files: ['/usr/lib/arm-none-eabi/newlib'],
    versionArgs: ['--version'],
  },
  patch: { about: 'hil teeth: mutants given as patches', commands: ['patch'], debian: ['patch'], versionArgs: ['--version'] },
} satisfies Record<string, SystemTool>;

export type ToolName = keyof typeof TOOLS;
export const SYSTEM_TOOLS: Record<ToolName, SystemTool> = TOOLS;

/** A tool a rig part needs; `command` when the rig file names its own (`cmd: /opt/openocd/bin/openocd`). */
export interface ToolNeed {
  tool: ToolName;
  command?: string;
}

/** The tools of a firmware build and of `hil teeth` on it: needed only where firmware is built. */
export const FIRMWARE_BUILD_TOOLS: readonly ToolName[] = ['make', 'armGcc', 'patch'];
