import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** NV addresses the test firmware uses (the memory-backend file maps 0x21000000). */
export const NV_BASE = 0x21000000;
export const NV_SIZE = 16 * 1024 * 1024;
export const BOOT_COUNT_ADDR = 0x21f00000;
export const TICK_ADDR = 0x21f00004;

/** Boot ROM stub at 0x0: jump to the vector table in NV, or sleep when NV is erased (never let QEMU lock up). */
const STUB = String.raw`
  .syntax unified
  .thumb
  .section .vectors,"a"
  .word 0x20010000
  .word reset + 1
  .text
  .thumb_func
reset:
  ldr r0, =0x21000000
  ldr r1, [r0]
  adds r2, r1, #1
  beq idle
  ldr r2, =0xE000ED08
  str r0, [r2]
  msr msp, r1
  ldr r1, [r0, #4]
  bx r1
idle:
  wfi
  b idle
`;

/**
 * The app, run in place from NV: counts boots in NV, prints "boot N", then "tick K" every 20 ms (writing K
 * to NV first), echoes UART1 bytes as "in X" and UART0 bytes as "rx X".
 */
const APP = String.raw`
#include <stdint.h>
#define REG(a) (*(volatile uint32_t *)(a))
#define U0 0x40004000u
#define U1 0x40005000u
static volatile uint32_t ticks;
static void uinit(uint32_t b) { REG(b + 0x10) = 16; REG(b + 0x08) = 3; }
static void putc_(char c) { while (REG(U0 + 4) & 1) {} REG(U0) = (uint8_t)c; }
static void puts_(const char *s) { while (*s) putc_(*s++); }
static void putn(uint32_t n) { char b[11]; int i = 10; b[i] = 0; do { b[--i] = '0' + n % 10; n /= 10; } while (n); puts_(b + i); }
void systick(void) { ticks++; }
void reset(void) {
  ticks = 0;
  uinit(U0); uinit(U1);
  volatile uint32_t *boots = (uint32_t *)0x21F00000u, *tickNv = (uint32_t *)0x21F00004u;
  uint32_t n = *boots == 0xFFFFFFFFu ? 1 : *boots + 1;
  *boots = n;
  puts_("boot "); putn(n); puts_("\r\n");
  REG(0xE000E014) = 25000 - 1; REG(0xE000E018) = 0; REG(0xE000E010) = 7;
  uint32_t next = 20, tick = 0;
  for (;;) {
    __asm volatile ("wfi");
    while (REG(U1 + 4) & 2) { char c = (char)REG(U1); puts_("in "); putc_(c); puts_("\r\n"); }
    while (REG(U0 + 4) & 2) { char c = (char)REG(U0); puts_("rx "); putc_(c); puts_("\r\n"); }
    if (ticks >= next) { next += 20; *tickNv = ++tick; puts_("tick "); putn(tick); puts_("\r\n"); }
  }
}
__attribute__((section(".vectors"), used)) static const void *vectors[16] = {
  (void *)0x20010000u, (void *)reset, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (void *)systick };
`;

const ld = (origin: string, bss: string) =>
  `ENTRY(reset)\nSECTIONS { . = ${origin}; .vectors : { KEEP(*(.vectors)) } .text : { *(.text*) *(.rodata*) } ${bss} }\n`;

export interface TestFirmware {
  stub: string;
  appElf: string;
  appBin: string;
  appHex: string;
}

/** Builds the stub and the app with arm-none-eabi-gcc into `dir`. */
export async function buildTestFirmware(dir: string): Promise<TestFirmware> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'stub.S'), STUB);
  await writeFile(join(dir, 'app.c'), APP);
  await writeFile(join(dir, 'stub.ld'), ld('0x0', ''));
  await writeFile(join(dir, 'app.ld'), ld('0x21000000', '.bss 0x20000000 (NOLOAD) : { *(.bss*) *(COMMON) }'));
  const run = (cmd: string, args: string[]) => execa(cmd, args, { cwd: dir, timeout: 30_000 });
  const cc = ['-mcpu=cortex-m3', '-mthumb', '-nostdlib', '-ffreestanding'];
  await run('arm-none-eabi-gcc', [...cc, '-T', 'stub.ld', 'stub.S', '-o', 'stub.elf']);
  await run('arm-none-eabi-gcc', [...cc, '-O2', '-T', 'app.ld', 'app.c', '-o', 'app.elf']);
  await run('arm-none-eabi-objcopy', ['-O', 'binary', 'app.elf', 'app.bin']);
  await run('arm-none-eabi-objcopy', ['-O', 'ihex', 'app.elf', 'app.hex']);
  return { stub: join(dir, 'stub.elf'), appElf: join(dir, 'app.elf'), appBin: join(dir, 'app.bin'), appHex: join(dir, 'app.hex') };
}
