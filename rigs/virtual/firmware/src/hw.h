/* Registers of the mps2-an385 peripherals used here (CMSDK APB UART and timer, SysTick, SCB, NVIC). */
#ifndef HW_H
#define HW_H
#include <stdint.h>

typedef struct {
    volatile uint32_t DATA;      /* 0x00 rx/tx byte */
    volatile uint32_t STATE;     /* 0x04 bit0 TX full, bit1 RX full, bit2/3 overrun */
    volatile uint32_t CTRL;      /* 0x08 bit0 TX enable, bit1 RX enable */
    volatile uint32_t INTSTATUS; /* 0x0c */
    volatile uint32_t BAUDDIV;   /* 0x10 (>= 16) */
} cmsdk_uart_t;

#define UART0 ((cmsdk_uart_t *)0x40004000u) /* console */
#define UART1 ((cmsdk_uart_t *)0x40005000u) /* GPIO lines from the host */

typedef struct {
    volatile uint32_t CTRL;      /* 0x00 bit0 enable, bit3 interrupt enable */
    volatile uint32_t VALUE;     /* 0x04 counts down at PCLK */
    volatile uint32_t RELOAD;    /* 0x08 */
    volatile uint32_t INTCLEAR;  /* 0x0c write 1: clear the interrupt */
} cmsdk_timer_t;

#define TIMER0 ((cmsdk_timer_t *)0x40000000u) /* flash operation timing */
#define TIMER0_IRQ 8u
#define TIMER_CTRL_EN 0x1u
#define TIMER_CTRL_IRQEN 0x8u

#define UART_STATE_TXFULL 0x1u
#define UART_STATE_RXFULL 0x2u
#define UART_STATE_OVERRUN 0xcu
#define UART_CTRL_TXEN 0x1u
#define UART_CTRL_RXEN 0x2u

#define SYSCLK_HZ 25000000u
#define REFCLK_HZ 1000000u /* SysTick reference clock on mps2 */
#define UART_BAUDDIV (SYSCLK_HZ / 115200u)

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)
#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)
#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define NVIC_ICER0 (*(volatile uint32_t *)0xE000E180u)
#define NVIC_ICPR0 (*(volatile uint32_t *)0xE000E280u)

static inline void wfi(void) { __asm volatile("wfi" ::: "memory"); }
static inline void dsb(void) { __asm volatile("dsb 0xf" ::: "memory"); }
static inline void isb(void) { __asm volatile("isb 0xf" ::: "memory"); }
static inline void irq_disable(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm volatile("cpsie i" ::: "memory"); }

#endif
