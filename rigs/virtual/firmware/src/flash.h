/* NOR flash driver for the NV region: erase = 4 KiB sector to 0xFF, program = clear bits only. */
#ifndef FLASH_H
#define FLASH_H
#include <stdint.h>

/* Emulated timings: a word program on TIMER0, a sector erase from the 1 kHz SysTick. */
#define FLASH_WORD_DELAY_US 250    /* each word-program: 250 us */
#define FLASH_ERASE_DELAY_TICKS 2  /* each sector erase: ~2 ms */

/* Stable, non-inlined symbols: a debugger sets breakpoints on them and counts hits.
 * A breakpoint at entry stops before the word/sector is touched. */
void flash_program_word(uint32_t addr, uint32_t value);
void flash_erase_sector(uint32_t addr);

int flash_sector_blank(uint32_t addr);
/* Erase every non-blank sector of [base, base+size) (blank check first, like
 * real drivers); returns how many sectors were erased. */
unsigned flash_erase_range(uint32_t base, uint32_t size);

#endif
