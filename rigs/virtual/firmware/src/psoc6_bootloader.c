/*
 * PSoC 6 twin: the console and behaviour of Infineon's MCUboot "rollback to factory app" bootloader
 * (mtb-example-wifi-mcuboot-rollback release-v2.0.0, bootloader_cm0p) on the virtual board, so that a scenario
 * written for the real kit runs here unchanged. What it keeps from the real one:
 *   - lines are "[INF] " or "[ERR] " + text + "\n\r" (strings that end in "\r\n" add a blank line);
 *   - MCUboot validates the primary slot on every boot; an erased header is an empty slot (no message),
 *     anything else that fails is "[ERR] Image in the primary slot is not valid!";
 *   - the USER button is read once, right after a successful validation: no debounce, no hold time;
 *   - with no valid image it waits for a press and release, for ever;
 *   - the rollback checks only the factory image's magic, erases the primary slot from its start, then copies
 *     the whole slot from the factory region in 512-byte rows, header first, printing nothing while it copies;
 *   - every error ends in CY_ASSERT(0): a silent halt.
 * Upgrades (the secondary slot's trailer magic set) are overwrite-only, as in v2.
 *
 * Faulty flavour, by build flag:
 *   VARIANT_NO_VALIDATE  MCUBOOT_VALIDATE_PRIMARY_SLOT off: a primary slot with a header magic boots
 */
#include "../flash_map.h"
#include "flash.h"
#include "hw.h"
#include "image.h"
#include "psoc6_map.h"
#include "sys.h"
#include "twin.h"

static const uint8_t boot_magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};

static uint32_t rd32(uint32_t a) { return *(const volatile uint32_t *)a; }
static uint32_t rd8(uint32_t a) { return *(const volatile uint8_t *)a; }

/* printf("[INF] %s\n\r"): the bootloader's own line ending, as its source writes it */
static void inf(const char *s)
{
    con_puts("[INF] ");
    con_puts(s);
    con_puts("\n\r");
}

static void err(const char *s)
{
    con_puts("[ERR] ");
    con_puts(s);
    con_puts("\n\r");
}

/* CY_ASSERT(0) in a Debug build: a breakpoint with no debugger, the core stops and says nothing */
__attribute__((noreturn)) static void assert_halt(void) { idle_forever(); }

/* ---- MCUboot's view of a slot's trailer (bootutil: magic, then image_ok and copy_done 8 bytes apart) ---- */

static const char *trailer_magic(uint32_t slot)
{
    uint32_t m = slot + PSOC6_SLOT_SIZE - 16;
    if (memcmp((const void *)m, boot_magic, 16) == 0)
        return "good";
    for (unsigned i = 0; i < 16; i++)
        if (rd8(m + i) != 0xffu)
            return "bad";
    return "unset";
}

static unsigned flag(uint32_t addr)
{
    uint32_t v = rd8(addr);
    return v == 0xffu ? 3u : v == 0x01u ? 1u : 2u; /* BOOT_FLAG_UNSET, _SET, _BAD */
}

static void swap_state_line(const char *which, uint32_t slot)
{
    uint32_t image_ok = slot + PSOC6_SLOT_SIZE - 16 - 8, copy_done = image_ok - 8;
    con_puts("[INF] boot_swap_type_multi: ");
    con_puts(which);
    con_puts(" image: magic=");
    con_puts(trailer_magic(slot));
    con_puts(", swap_type=0x1, copy_done=0x");
    twin_hex(flag(copy_done), 0, 0);
    con_puts(", image_ok=0x");
    twin_hex(flag(image_ok), 0, 0);
    con_puts("\n\r");
}

/* ---- copies ---- */

/* One 512-byte row: the row write takes its time whatever the data (as on the part, where a row is written
 * whole); a cut during it leaves the row as it was. A symbol of its own, for a cut by hit count. */
__attribute__((noinline, used)) void psoc6_write_row(uint32_t dst, uint32_t src)
{
    delay_ms(PSOC6_ROW_WRITE_MS);
    for (uint32_t i = 0; i < PSOC6_ROW_SIZE; i += 4) {
        volatile uint32_t *p = (volatile uint32_t *)(dst + i);
        *p = *p & rd32(src + i); /* NOR: programming only clears bits */
    }
}

static void copy_rows(uint32_t dst, uint32_t src, uint32_t size)
{
    for (uint32_t off = 0; off < size; off += PSOC6_ROW_SIZE)
        psoc6_write_row(dst + off, src + off);
}

/* ---- boot_go(): upgrade if one is pending, then validate the primary slot ---- */

static int slot_valid(uint32_t slot)
{
    image_info_t info;
#ifdef VARIANT_NO_VALIDATE
    /* FAULTY: MCUBOOT_VALIDATE_PRIMARY_SLOT is off: a header magic is all it looks at */
    if (slot == PSOC6_PRIMARY_BASE)
        return image_parse_header(slot, PSOC6_SLOT_SIZE, &info) == IMG_OK;
#endif
    return image_check(slot, PSOC6_SLOT_SIZE, &info) == IMG_OK;
}

static void upgrade(void)
{
    inf("Image upgrade secondary slot -> primary slot");
    inf("Erasing the primary slot");
    flash_erase_range(PSOC6_PRIMARY_BASE, PSOC6_SLOT_SIZE);
    con_puts("[INF] Copying the secondary slot to the primary slot: 0x");
    twin_hex(PSOC6_SLOT_SIZE, 0, 0);
    con_puts(" bytes\n\r");
    /* the image, not the trailer: the primary slot's trailer stays erased */
    copy_rows(PSOC6_PRIMARY_BASE, PSOC6_SECONDARY_BASE, PSOC6_SLOT_SIZE - PSOC6_ROW_SIZE);
    /* overwrite-only: the secondary slot is erased once copied, trailer first */
    flash_erase_range(PSOC6_SECONDARY_BASE + PSOC6_SLOT_SIZE - FLASH_SECTOR_SIZE, FLASH_SECTOR_SIZE);
    flash_erase_range(PSOC6_SECONDARY_BASE, PSOC6_SLOT_SIZE - FLASH_SECTOR_SIZE);
}

static int boot_go(void)
{
    swap_state_line("Primary", PSOC6_PRIMARY_BASE);
    swap_state_line("Secondary", PSOC6_SECONDARY_BASE);
    if (memcmp(trailer_magic(PSOC6_SECONDARY_BASE), "good", 5) == 0) {
        inf("Swap type: test");
        if (slot_valid(PSOC6_SECONDARY_BASE)) {
            upgrade();
        } else {
            err("Image in the secondary slot is not valid!");
            flash_erase_range(PSOC6_SECONDARY_BASE, PSOC6_SLOT_SIZE);
        }
    } else {
        inf("Swap type: none");
    }
    if (rd32(PSOC6_PRIMARY_BASE) == 0xffffffffu)
        return 0; /* an erased header is an empty slot, not an error */
    if (!slot_valid(PSOC6_PRIMARY_BASE)) {
        err("Image in the primary slot is not valid!");
        return 0;
    }
    return 1;
}

/* ---- the example's main() ---- */

static void start_cm4(const char *what)
{
    con_puts("[INF] Starting ");
    con_puts(what);
    con_puts(" on CM4. Please wait...\n\r");
    uint32_t vt = PSOC6_PRIMARY_BASE + PSOC6_HDR_SIZE;
    if (!twin_vectors_plausible(vt, PSOC6_PRIMARY_BASE + PSOC6_SLOT_SIZE))
        assert_halt(); /* the real CM4 would fault silently: nothing to print */
    twin_start(vt);
}

__attribute__((noreturn)) static void rollback(void)
{
    uint32_t magic = rd32(PSOC6_FACTORY_BASE);
    if (magic != IMAGE_MAGIC) {
        con_puts("[ERR] Invalid image magic 0x");
        twin_hex(magic, 8, 0);
        con_puts(" !\r\n\n\r");
        assert_halt();
    }
    inf("Valid image magic found");
    inf("Erasing primary slot. Please wait for a while...\r\n");
    flash_erase_range(PSOC6_PRIMARY_BASE, PSOC6_SLOT_SIZE);
    inf("Transferring 'factory app' to 'primary slot'");
    inf("Please wait for a while...\r\n");
    copy_rows(PSOC6_PRIMARY_BASE, PSOC6_FACTORY_BASE, PSOC6_SLOT_SIZE);
    inf("factory app copied to primary slot successfully");
    if (!boot_go()) {
        err("factory app validation failed");
        err("Can't Rollback, asserting!!");
        assert_halt();
    }
    inf("factory app validated successfully");
    start_cm4("Factory app");
    assert_halt();
}

static void wait_press_release(void)
{
    while (!(gpio_take_activation(GPIO_USER_BUTTON) | gpio_level(GPIO_USER_BUTTON)))
        wfi();
    while (gpio_level(GPIO_USER_BUTTON))
        wfi();
}

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    inf("\x1b[2J\x1b[;H");
    inf("MCUboot Bootloader Started");
    inf("External Memory initialization using SFDP mode.");
    if (boot_go()) {
        inf("Application validated successfully !");
        if (gpio_level(GPIO_USER_BUTTON)) { /* read once: held now or not at all */
            inf("Detected user button event");
            inf("Rollback initiated at startup \r\n");
            rollback();
        }
        start_cm4("Application");
    }
    inf("No Upgrade available !");
    inf("No valid image found in primary slot !");
    inf("Press and release user button to initiate Rollback \r\n");
    wait_press_release();
    inf("Detected user button event ");
    inf("Initiating the Rollback...\r\n");
    rollback();
}
