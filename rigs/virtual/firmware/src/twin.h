/* Shared by the seed-board twins (src/psoc6_bootloader.c, src/mbed_bootloader.c): hex output and starting an app. */
#ifndef TWIN_H
#define TWIN_H
#include <stdint.h>

/* `digits` hex digits of v (0: as many as needed, no leading zeros), upper or lower case, no 0x. */
void twin_hex(uint32_t v, unsigned digits, int upper);

/* 1 if the vector table at `vt` is worth jumping to: SP in RAM, Reset/NMI/HardFault Thumb addresses
 * inside [vt, app_end), every word up to the end of the app's fault-handler block programmed. Not a
 * validation: it keeps a booted half-copied app from locking up QEMU. */
int twin_vectors_plausible(uint32_t vt, uint32_t app_end);

/* Hand the CPU to the app whose vector table is at `vt` (interrupts and SysTick off, VTOR set). */
__attribute__((noreturn)) void twin_start(uint32_t vt);

#endif
