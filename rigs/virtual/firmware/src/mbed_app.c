/*
 * The Mbed twin's application (one source, -D APP_VERSION): says which firmware version it is and idles.
 * Built twice (the installed one and the update candidate) and filled to 24 KiB by tools/mbedimage.mjs, so an
 * install takes seconds, as on a real board.
 */
#include "hw.h"
#include "sys.h"

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    con_line("Application running, firmware version " APP_VERSION);
    for (;;)
        wfi();
}
