/*
 * Cut-reaction test firmware (bench/cut-reaction.mjs), flashed in the bootloader's place. It programs flash
 * words back to back from the primary slot on (word i holds i), one word per flash program time (250 us),
 * and prints a trigger line just before word BURST_TRIGGER. A host that cuts power on that line stops the
 * writing; the next boot finds the words written, prints how many and writes nothing more. Words found minus
 * BURST_TRIGGER is the cut's reaction, counted on the device: what a power cut "on a line" lets the firmware
 * do after printing it.
 */
#include "../flash_map.h"
#include "flash.h"
#include "sys.h"

#define BURST_BASE FLASH_PRIMARY_BASE
/* Primary and secondary slot: ~10 s of writing, longer than any cut takes. */
#define BURST_WORDS ((FLASH_PRIMARY_SIZE + FLASH_SECONDARY_SIZE) / FLASH_WORD_SIZE)
#define BURST_TRIGGER 200u

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    con_line("Burst test firmware");
    const volatile uint32_t *words = (const volatile uint32_t *)BURST_BASE;
    uint32_t found = 0;
    while (found < BURST_WORDS && words[found] != 0xffffffffu)
        found++;
    if (found) {
        con_puts("Burst found ");
        con_dec(found);
        con_puts(" words, ");
        con_dec(found > BURST_TRIGGER ? found - BURST_TRIGGER : 0);
        con_line(" after the trigger");
        idle_forever();
    }
    for (uint32_t i = 0; i < BURST_WORDS; i++) {
        if (i == BURST_TRIGGER)
            con_line("Burst trigger");
        flash_program_word(BURST_BASE + i * FLASH_WORD_SIZE, i);
    }
    con_line("Burst done");
    idle_forever();
}
