/*
 * The PSoC 6 twin's factory app (factory_app_cm4 1.0.0 of the rollback example), as far as a scenario sees
 * it: its banner, lines ending "\r\n" as the CM4 apps write them, and a USER button press starting the OTA
 * task. It runs from the primary slot after a rollback.
 */
#include "hw.h"
#include "sys.h"

#define RULE "==============================================================="

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    con_line(RULE);
    con_line("factory_app_cm4 version: " APP_VERSION);
    con_line(RULE);
    con_line("Watchdog timer started by the bootloader is now turned off!!!");
    con_line("Starting LED task..");
    con_line("****Waiting for user button press event****");
    /* a button still held from the boot that asked for the rollback is not a press */
    int stale = gpio_level(GPIO_USER_BUTTON);
    (void)gpio_take_activation(GPIO_USER_BUTTON);
    for (;;) {
        wfi();
        int tapped = gpio_take_activation(GPIO_USER_BUTTON), level = gpio_level(GPIO_USER_BUTTON);
        if (stale) {
            stale = level;
            continue;
        }
        if (tapped || level) {
            con_line("Detected user button event..");
            con_line("Starting OTA task..");
            while (gpio_level(GPIO_USER_BUTTON))
                wfi();
        }
    }
}
