import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';
import { duration } from '../core/duration.js';
import { hex, size } from '../core/size.js';

/** Largest flash file hil creates: far above any board's flash, far below what fills a disk by a typo. */
const MAX_FLASH_FILE = 1024 ** 3;

/** A path hil writes under, relative to `folder` and inside it, so never anybody else's file. */
const inside = (folder: string) =>
  z.string().superRefine((p, ctx) => {
    const n = normalize(p);
    if (isAbsolute(n) || n === '.' || n === '..' || n.startsWith('../')) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(p)} is not inside ${folder}: give a path relative to it, without ..` });
    }
  });
/** A flash image file hil creates and overwrites. */
const stateFile = inside("the rig's state folder");

const flashSize = size.superRefine((n, ctx) => {
  if (n === 0 || n > MAX_FLASH_FILE)
    ctx.addIssue({ code: 'custom', message: `a flash file of ${n} bytes: give 1 byte to 1G (${hex(MAX_FLASH_FILE)})` });
});

/** QEMU object and chardev ids: no commas or `=`, which its option syntax would split on. */
const qemuId = z.string().regex(/^[A-Za-z][\w.-]*$/, 'use letters, digits, - _ and ., starting with a letter');

/** A register the ABI passes an argument in (`r0`, `a1`, ...), read at the function's first instruction. */
const register = z.string().regex(/^[a-z][a-z0-9]*$/, 'a gdb register name such as r0');

/**
 * The firmware's flash program and erase functions and the registers their arguments arrive in: what a cut's
 * fault model (`cut: { fault: torn-word }`) reads to know which word or sector the cut interrupted. `length` of
 * an erase is a register or a fixed size (a function that erases one sector).
 */
const flashOpsSchema = z.strictObject({
  program: z
    .strictObject({
      symbol: z.string().min(1).describe('the function that programs one word'),
      address: register.describe('the register holding the address it programs'),
      data: register.describe('the register holding the word'),
    })
    .optional()
    .describe('the word-program function'),
  erase: z
    .strictObject({
      symbol: z.string().min(1).describe('the function that erases'),
      address: register.describe('the register holding the address it erases'),
      length: z.union([size, register]).describe('the register holding the length, or a fixed size (a function that erases one sector)'),
    })
    .optional()
    .describe('the erase function'),
});
export type FlashOps = z.output<typeof flashOpsSchema>;

/**
 * `resources.qemu` of a rig file: one emulated board. Only the machine is QEMU's business; the board's
 * non-volatile memory lives in files under the rig's state directory, so it survives power cuts and runs.
 */
export const qemuBoardSchema = z
  .strictObject({
    qemu: z
      .string()
      .default('qemu-system-arm')
      .describe('The emulator binary: qemu-system-arm for Cortex-M boards, qemu-system-aarch64 for an arm64 U-Boot.'),
    machine: z.string().default('mps2-an385').describe('`-M`: the machine QEMU emulates'),
    cpu: z.string().optional().describe("`-cpu`, when the machine's default is not the one"),
    kernel: z
      .string()
      .optional()
      .describe('`-kernel`: the boot ROM stub, copied into volatile memory again on every reset (relative to the rig file).'),
    /**
     * Memory-backend files: the board's flash. Created erased (0xFF) at `size` when missing; `path` is relative
     * to the state directory and inside it (default `<id>.img`). `address` is where the guest sees it: raw images without
     * an address are flashed there.
     */
    nv: z
      .array(
        z.strictObject({
          id: qemuId.describe("the memory backend's id"),
          path: stateFile.optional().describe('its file, relative to the state directory and inside it (default `<id>.img`)'),
          size: flashSize.describe('its size: created erased (0xFF) at this size when missing'),
          address: size.optional().describe('where the guest sees it: raw images without an address are flashed there'),
        }),
      )
      .default([])
      .describe("memory-backend files: the board's flash, kept across power cuts and runs"),
    memoryBackend: qemuId
      .nullable()
      .optional()
      .describe(
        "Which `nv` id backs the machine's RAM (`-machine …,memory-backend=`); default: the first; null: none (attach it in `args`).",
      ),
    /** `-drive` images for machines with flash devices (`if: pflash`); `path` relative to the state directory and inside it. */
    drives: z
      .array(
        z.strictObject({
          path: stateFile.describe('the image file, relative to the state directory and inside it'),
          if: z.string().default('pflash').describe('`-drive if=`'),
          format: z.string().default('raw').describe('`-drive format=`'),
          index: z.number().int().nonnegative().optional().describe('`-drive index=`: which flash device of the machine'),
          size: flashSize.optional().describe('Creates the image erased (0xFF) at this size when missing.'),
        }),
      )
      .default([])
      .describe('`-drive` images for machines with flash devices (`if: pflash`)'),
    serials: z
      .number()
      .int()
      .min(1)
      .max(8)
      .default(2)
      .describe('UARTs wired to the host: each is a pty (a new one per power-on, like a USB-serial re-enumerating).'),
    gpioSerial: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .default(1)
      .describe("The UART carrying GPIO lines (host writes 'A'+n / 'a'+n); a socket, not a pty. null: no line link."),
    gdbPort: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(0)
      .describe('`-gdb tcp:127.0.0.1:PORT`; 0 lets QEMU pick a free port (read back over QMP).'),
    icount: z
      .union([z.boolean(), z.string()])
      .default(false)
      .describe('true: `-icount shift=0,sleep=off` (repeatable guest timing); a string: that `-icount` spec.'),
    args: z.array(z.string()).default([]).describe('Extra QEMU arguments, appended last.'),
    stateDir: inside("the rig file's folder")
      .optional()
      .describe(
        "Where NV images and pty links live (relative to the rig file, inside its folder); default `rigs/<rig>/` in hil's state root.",
      ),
    /**
     * How power is cut and restored. restart: power off SIGKILLs QEMU, power on starts a new one. reset: one QEMU
     * serves many power cycles; power off stops its CPU at once (QMP stop), power on clears every RAM block,
     * resets every device and runs again. The flash files see the same thing either way; reset saves an emulator
     * start per power-on.
     */
    powerCycle: z
      .enum(['restart', 'reset'])
      .default('restart')
      .describe(
        'restart: power off kills QEMU, power on starts a new one; reset: one QEMU, its CPU stopped at power off, RAM cleared and devices reset at power on',
      ),
    flashOps: flashOpsSchema
      .optional()
      .describe("the firmware's flash functions and where their arguments are, for a cut's fault model (`cut: { fault }`)"),
    lifetime: duration
      .default(4 * 3_600_000)
      .describe('Hard bound on one QEMU process: it is killed after this long whatever happens (reset: retired at half).'),
    startTimeout: duration.default(10_000).describe('Time allowed from spawn to a QMP handshake.'),
  })
  .superRefine((o, ctx) => {
    if (o.gpioSerial !== null && o.gpioSerial >= o.serials) {
      ctx.addIssue({ code: 'custom', path: ['gpioSerial'], message: `UART ${o.gpioSerial} does not exist: serials is ${o.serials}` });
    }
    const ids = o.nv.map((n) => n.id);
    if (o.memoryBackend && !ids.includes(o.memoryBackend)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryBackend'],
        message: `no nv entry with id "${o.memoryBackend}" (have: ${ids.join(', ') || 'none'})`,
      });
    }
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['nv'], message: `nv id "${dup}" is used twice` });
  })
  .describe('One emulated board: the machine, its firmware, its flash files (kept across power cuts and runs) and its UARTs.');

export type QemuBoardOptions = z.output<typeof qemuBoardSchema>;
