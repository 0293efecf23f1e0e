/* SysTick, reset, console (UART0), GPIO lines (UART1), boot shared block, libc bits. */
#include "sys.h"
#include "hw.h"
#include "../flash_map.h"

static volatile uint32_t g_ticks;

void SysTick_Handler(void) { g_ticks++; }

void systick_init(void)
{
    SYST_CSR = 0;
    /* The 1 MHz reference clock: in QEMU it keeps wall time better (~1 %) than the
     * 25 MHz processor clock (~7 % slow). */
    SYST_RVR = REFCLK_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 3; /* reference clock, interrupt, enable */
}

uint32_t ticks(void) { return g_ticks; }

void wait_next_tick(void)
{
    uint32_t t = g_ticks;
    while (g_ticks == t)
        wfi();
}

static volatile uint32_t g_timer_fired;

void TIMER0_Handler(void)
{
    TIMER0->CTRL = 0;
    TIMER0->INTCLEAR = 1;
    g_timer_fired = 1;
}

void delay_us(uint32_t us)
{
    g_timer_fired = 0;
    TIMER0->CTRL = 0;
    TIMER0->RELOAD = us * (SYSCLK_HZ / 1000000u);
    TIMER0->VALUE = us * (SYSCLK_HZ / 1000000u);
    TIMER0->INTCLEAR = 1;
    NVIC_ISER0 = 1u << TIMER0_IRQ;
    TIMER0->CTRL = TIMER_CTRL_EN | TIMER_CTRL_IRQEN;
    while (!g_timer_fired)
        wfi();
}

void delay_ms(uint32_t ms)
{
    uint32_t t = g_ticks;
    while (g_ticks - t < ms)
        wfi();
}

void system_reset(void)
{
    dsb();
    SCB_AIRCR = 0x05fa0004u; /* VECTKEY | SYSRESETREQ */
    dsb();
    for (;;)
        wfi();
}

void idle_forever(void)
{
    for (;;) {
        gpio_poll();
        wfi();
    }
}

static void uart_init(cmsdk_uart_t *u)
{
    u->CTRL = 0;
    u->BAUDDIV = UART_BAUDDIV;
    u->CTRL = UART_CTRL_TXEN | UART_CTRL_RXEN;
}

void uart_init_all(void)
{
    uart_init(UART0);
    uart_init(UART1);
}

void con_putc(char c)
{
    while (UART0->STATE & UART_STATE_TXFULL) {
    }
    UART0->DATA = (uint8_t)c;
}

void con_puts(const char *s)
{
    /* bounded: never stream a whole erased flash if a pointer is bad */
    for (unsigned n = 0; *s && n < 256; n++)
        con_putc(*s++);
}

void con_line(const char *s)
{
    con_puts(s);
    con_puts("\r\n");
}

void con_dec(uint32_t v)
{
    char buf[11];
    int i = 10;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    con_puts(&buf[i]);
}

void con_hex(uint32_t v)
{
    con_puts("0x");
    for (int s = 28; s >= 0; s -= 4)
        con_putc("0123456789abcdef"[(v >> s) & 0xfu]);
}

int con_getc(void)
{
    if (UART0->STATE & UART_STATE_OVERRUN)
        UART0->STATE = UART_STATE_OVERRUN;
    if (!(UART0->STATE & UART_STATE_RXFULL))
        return -1;
    return (int)(UART0->DATA & 0xffu);
}

volatile boot_shared_t *boot_shared(void) { return (volatile boot_shared_t *)RAM_SHARED_ADDR; }

void gpio_init(void)
{
    volatile boot_shared_t *sh = boot_shared();
    if (sh->magic != BOOT_SHARED_MAGIC) {
        /* power-on: every line inactive until the host says otherwise */
        sh->levels = 0;
        sh->request = BOOT_REQ_NONE;
        sh->reserved = 0;
        sh->magic = BOOT_SHARED_MAGIC;
    }
    gpio_poll();
}

static uint32_t g_activations;

void gpio_poll(void)
{
    volatile boot_shared_t *sh = boot_shared();
    if (UART1->STATE & UART_STATE_OVERRUN)
        UART1->STATE = UART_STATE_OVERRUN;
    while (UART1->STATE & UART_STATE_RXFULL) {
        uint32_t c = UART1->DATA & 0xffu;
        if (c >= 'A' && c <= 'Z') {
            if (!(sh->levels & (1u << (c - 'A'))))
                g_activations |= 1u << (c - 'A');
            sh->levels |= 1u << (c - 'A');
        }
        else if (c >= 'a' && c <= 'z')
            sh->levels &= ~(1u << (c - 'a'));
    }
}

int gpio_level(unsigned line)
{
    gpio_poll();
    return (boot_shared()->levels >> line) & 1u;
}

int gpio_take_activation(unsigned line)
{
    gpio_poll();
    int hit = (g_activations >> line) & 1u;
    g_activations &= ~(1u << line);
    return hit;
}

void *memcpy(void *d, const void *s, size_t n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    uint8_t *dp = d;
    while (n--)
        *dp++ = (uint8_t)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}
