#include "twin.h"
#include "hw.h"
#include "sys.h"
#include "../flash_map.h"

static uint32_t rd32(uint32_t a) { return *(const volatile uint32_t *)a; }

void twin_hex(uint32_t v, unsigned digits, int upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned n = digits;
    if (!n)
        for (n = 1; n < 8 && (v >> (4 * n)); n++) {
        }
    for (int s = 4 * ((int)n - 1); s >= 0; s -= 4)
        con_putc(hex[(v >> s) & 0xfu]);
}

int twin_vectors_plausible(uint32_t vt, uint32_t app_end)
{
    if (vt & 0x7fu)
        return 0;
    uint32_t sp = rd32(vt);
    if ((sp & 3u) || sp <= RAM_BASE || sp > RAM_BASE + 0x400000u)
        return 0;
    for (unsigned i = 1; i <= 3; i++) {
        uint32_t v = rd32(vt + 4 * i);
        if (!(v & 1u) || v < vt || v >= app_end)
            return 0;
    }
    uint32_t early_end = rd32(vt + 4 * 7);
    if (early_end <= vt || early_end > app_end || (early_end & 3u))
        return 0;
    for (uint32_t a = vt; a < early_end; a += 4)
        if (rd32(a) == 0xffffffffu)
            return 0;
    return 1;
}

void twin_start(uint32_t vt)
{
    irq_disable();
    SYST_CSR = 0;
    SCB_ICSR = 1u << 25; /* PENDSTCLR */
    NVIC_ICER0 = 0xffffffffu;
    NVIC_ICPR0 = 0xffffffffu;
    SCB_VTOR = vt;
    dsb();
    isb();
    __asm volatile("msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n" ::"r"(rd32(vt)),
                   "r"(rd32(vt + 4))
                   : "memory");
    __builtin_unreachable();
}
