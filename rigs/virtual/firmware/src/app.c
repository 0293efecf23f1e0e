/*
 * The factory app (v1.0.0, 1 Hz blink) and the upgrade app (v1.1.0, 4 Hz blink):
 * one source, configured with -DAPP_NAME="Factory" -DAPP_VERSION="1.0.0" -DBLINK_HZ=1.
 *
 * Console commands (UART0, one per line): reset, upgrade, rollback, version.
 * A press-and-release of the USER button does the same as `upgrade` (as the seed's
 * factory app starts its OTA download on a button press).
 */
#include "../flash_map.h"
#include "flash.h"
#include "hw.h"
#include "sys.h"

#ifndef APP_NAME
#define APP_NAME "Factory"
#endif
#ifndef APP_VERSION
#define APP_VERSION "1.0.0"
#endif
#ifndef BLINK_HZ
#define BLINK_HZ 1
#endif

#define IMAGE_MAGIC 0x96f3b83du

static const uint8_t boot_magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};

static void banner(void) { con_line(APP_NAME " app v" APP_VERSION " running"); }

/* Simulated OTA download: copy the image staged in external flash into the
 * secondary slot (with its trailer, so the upgrade is pending), then reset. */
static void upgrade(void)
{
    const volatile uint32_t *stage = (const volatile uint32_t *)FLASH_STAGING_BASE;
    const uint32_t words = FLASH_STAGING_SIZE / 4u;
    if (stage[0] != IMAGE_MAGIC) {
        if (memcmp((const void *)(FLASH_SECONDARY_BASE + FLASH_SECONDARY_SIZE - 16u), boot_magic, 16) == 0) {
            con_line("Update already in secondary slot, resetting");
            system_reset();
        }
        con_line("No update available");
        return;
    }
    uint32_t todo = 0;
    for (uint32_t i = 0; i < words; i++)
        if (stage[i] != 0xffffffffu)
            todo++;
    con_line("Downloading update to secondary slot");
    flash_erase_range(FLASH_SECONDARY_BASE, FLASH_SECONDARY_SIZE);
    uint32_t done = 0, next = 0;
    for (uint32_t i = 0; i < words; i++) {
        if (stage[i] == 0xffffffffu)
            continue;
        while (done * 100u >= next * todo && next <= 100u) {
            con_puts("Downloading ");
            con_dec(next);
            con_puts("%\r\n");
            next += 20u;
        }
        flash_program_word(FLASH_SECONDARY_BASE + 4u * i, stage[i]);
        done++;
    }
    con_line("Downloading 100%");
    con_line("Download complete, resetting");
    system_reset();
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static void command(const char *cmd)
{
    if (!cmd[0])
        return;
    if (streq(cmd, "reset")) {
        con_line("Resetting");
        system_reset();
    } else if (streq(cmd, "upgrade")) {
        upgrade();
    } else if (streq(cmd, "rollback")) {
        con_line("Rollback requested, resetting");
        boot_shared()->request = BOOT_REQ_ROLLBACK;
        system_reset();
    } else if (streq(cmd, "version")) {
        banner();
    } else {
        con_puts("Unknown command: ");
        con_line(cmd);
    }
}

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    banner();
    con_line("Commands: reset, upgrade, rollback, version");

    char line[32];
    unsigned len = 0;
    /* a button already held when the app starts (e.g. the hold that asked for the
     * rollback) is not a press: wait for its release first */
    int button = 0, stale = gpio_level(GPIO_USER_BUTTON);
    (void)gpio_take_activation(GPIO_USER_BUTTON);
    uint32_t period = 1000u / BLINK_HZ, last = ticks(), blinks = 0;
    for (;;) {
        wfi();
        int c;
        while ((c = con_getc()) >= 0) {
            if (c == '\r' || c == '\n') {
                line[len] = 0;
                len = 0;
                command(line);
            } else if (len < sizeof(line) - 1) {
                line[len++] = (char)c;
            }
        }
        int tapped = gpio_take_activation(GPIO_USER_BUTTON);
        int b = gpio_level(GPIO_USER_BUTTON);
        if (stale) {
            stale = b;
        } else if (!button && (b || tapped)) {
            button = 1;
            con_line("USER button pressed");
        }
        if (button && !b && !stale) {
            button = 0;
            con_line("USER button released");
            upgrade();
        }
        if (ticks() - last >= period) {
            last += period;
            con_puts("blink ");
            con_dec(++blinks);
            con_puts("\r\n");
        }
    }
}
