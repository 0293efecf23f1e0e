#ifndef SYS_H
#define SYS_H
#include <stdint.h>
#include <stddef.h>

/* 1 kHz SysTick. */
void systick_init(void);
uint32_t ticks(void);
void wait_next_tick(void);
void delay_ms(uint32_t ms);
/* Sleeps `us` microseconds on TIMER0 (PCLK): finer than a tick, for the flash timings. */
void delay_us(uint32_t us);
__attribute__((noreturn)) void system_reset(void);
__attribute__((noreturn)) void idle_forever(void);

/* Console on UART0 ("\r\n" line ends). */
void uart_init_all(void);
void con_putc(char c);
void con_puts(const char *s);
void con_line(const char *s);
void con_dec(uint32_t v);
void con_hex(uint32_t v);
int con_getc(void);

/* GPIO input lines from the host, over UART1: 'A'+n = line n active, 'a'+n = inactive. */
#define GPIO_USER_BUTTON 0
void gpio_init(void);
void gpio_poll(void);
int gpio_level(unsigned line);
/* 1 if the line went active since the last call (latched edge: a press and release that
 * arrive together, faster than one poll, still count as a press). */
int gpio_take_activation(unsigned line);

/* Boot shared block in RAM: survives a system reset, zero after power-on. */
typedef struct {
    uint32_t magic;
    uint32_t levels;  /* last known GPIO input levels */
    uint32_t request; /* request from the app to the bootloader */
    uint32_t reserved;
} boot_shared_t;
#define BOOT_SHARED_MAGIC 0x48494c31u  /* "HIL1" */
#define BOOT_REQ_NONE 0u
#define BOOT_REQ_ROLLBACK 0x524f4c4cu  /* "ROLL" */
volatile boot_shared_t *boot_shared(void);

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
