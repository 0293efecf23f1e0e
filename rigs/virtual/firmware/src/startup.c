/* Vector table, reset handler and fault handler shared by the bootloader and the apps. */
#include "hw.h"
#include "sys.h"

#ifndef PROGRAM_NAME
#define PROGRAM_NAME "program"
#endif

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack, _early_end;
extern int main(void);

void Reset_Handler(void);
void HardFault_Handler(void);
void Default_Handler(void);
void SysTick_Handler(void);
void TIMER0_Handler(void);

__attribute__((section(".vectors"), used)) const void *const g_vectors[16 + 32] = {
    &_estack,
    (void *)Reset_Handler,
    (void *)HardFault_Handler, /* NMI */
    (void *)HardFault_Handler, /* HardFault */
    (void *)HardFault_Handler, /* MemManage */
    (void *)HardFault_Handler, /* BusFault */
    (void *)HardFault_Handler, /* UsageFault */
    /* Reserved slot 7: end of the vector table + fault handler block. A bootloader
     * jumps only if every word up to there is programmed (see vectors_plausible). */
    &_early_end,
    0, 0, 0,
    (void *)Default_Handler, /* SVCall */
    (void *)Default_Handler, /* DebugMon */
    0,
    (void *)Default_Handler, /* PendSV */
    (void *)SysTick_Handler,
    /* 32 external interrupts: only TIMER0's is ever enabled (flash timings) */
    [16 ... 16 + TIMER0_IRQ - 1] = (void *)Default_Handler,
    [16 + TIMER0_IRQ] = (void *)TIMER0_Handler,
    [16 + TIMER0_IRQ + 1 ... 47] = (void *)Default_Handler,
};

/* Kept in .text.early (right after the vector table) with its message, so that an
 * image whose copy was cut short still reports a fault instead of locking up QEMU. */
__attribute__((section(".text.early.msg"))) static const char fault_msg[] =
    "\r\n*** HardFault in " PROGRAM_NAME ", halted ***\r\n";

__attribute__((section(".text.early"), noreturn, used)) void HardFault_Handler(void)
{
    SYST_CSR = 0;
    UART0->BAUDDIV = UART_BAUDDIV;
    UART0->CTRL |= UART_CTRL_TXEN;
    for (const char *p = fault_msg; *p; p++) {
        while (UART0->STATE & UART_STATE_TXFULL) {
        }
        UART0->DATA = (uint8_t)*p;
    }
    for (;;)
        wfi(); /* nothing can preempt a HardFault: the core sleeps for good */
}

__attribute__((section(".text.early"), used)) void Default_Handler(void)
{
    HardFault_Handler();
}

__attribute__((noreturn, used)) void Reset_Handler(void)
{
    SCB_VTOR = (uint32_t)g_vectors;
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;)
        *dst++ = *src++;
    for (uint32_t *dst = &_sbss; dst < &_ebss;)
        *dst++ = 0;
    irq_enable();
    main();
    for (;;)
        wfi();
}
