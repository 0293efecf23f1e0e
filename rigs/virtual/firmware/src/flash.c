#include "flash.h"
#include "sys.h"
#include "../flash_map.h"

__attribute__((noinline, used)) void flash_erase_sector(uint32_t addr)
{
    addr &= ~(uint32_t)(FLASH_SECTOR_SIZE - 1);
    for (unsigned t = 0; t < FLASH_ERASE_DELAY_TICKS; t++)
        wait_next_tick();
    volatile uint32_t *p = (volatile uint32_t *)addr;
    for (unsigned i = 0; i < FLASH_SECTOR_SIZE / 4; i++)
        p[i] = 0xffffffffu;
}

__attribute__((noinline, used)) void flash_program_word(uint32_t addr, uint32_t value)
{
    delay_us(FLASH_WORD_DELAY_US);
    volatile uint32_t *p = (volatile uint32_t *)(addr & ~3u);
    *p = *p & value; /* NOR: programming only clears bits */
}

int flash_sector_blank(uint32_t addr)
{
    const volatile uint32_t *p = (const volatile uint32_t *)(addr & ~(uint32_t)(FLASH_SECTOR_SIZE - 1));
    for (unsigned i = 0; i < FLASH_SECTOR_SIZE / 4; i++)
        if (p[i] != 0xffffffffu)
            return 0;
    return 1;
}

unsigned flash_erase_range(uint32_t base, uint32_t size)
{
    unsigned n = 0;
    for (uint32_t a = base; a < base + size; a += FLASH_SECTOR_SIZE) {
        if (!flash_sector_blank(a)) {
            flash_erase_sector(a);
            n++;
        }
    }
    return n;
}
