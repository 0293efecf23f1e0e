/*
 * Boot-ROM stub at 0x0 (volatile; QEMU re-loads it from -kernel on every reset).
 * Jumps to the vector table at the NV base if one is there; otherwise says so and
 * idles (an empty machine must never run: QEMU would abort with "Lockup").
 */
#include "../flash_map.h"
#include "hw.h"
#include "sys.h"

static int plausible(const volatile uint32_t *vt)
{
    uint32_t sp = vt[0], pc = vt[1];
    return !(sp & 3u) && sp > RAM_BASE && sp <= RAM_BASE + 0x400000u && (pc & 1u) &&
           pc > FLASH_BOOTLOADER_BASE && pc < FLASH_BOOTLOADER_BASE + FLASH_BOOTLOADER_SIZE;
}

int main(void)
{
    const volatile uint32_t *vt = (const volatile uint32_t *)FLASH_BOOTLOADER_BASE;
    if (plausible(vt)) {
        irq_disable();
        SCB_VTOR = FLASH_BOOTLOADER_BASE;
        dsb();
        isb();
        __asm volatile("msr msp, %0\n"
                       "cpsie i\n"
                       "bx %1\n" ::"r"(vt[0]),
                       "r"(vt[1])
                       : "memory");
    }
    systick_init();
    uart_init_all();
    con_line("BOOTROM: no bootloader at 0x21000000");
    for (;;)
        wfi();
}
