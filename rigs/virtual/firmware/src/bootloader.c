/*
 * MCUboot-style bootloader with rollback to a factory image in external flash,
 * modelled on the PSoC 6 "rollback to factory app" example (overwrite-only upgrades).
 *
 * Faulty variants, one per build flag (see README.md, "Faulty variants"):
 *   VARIANT_NO_VALIDATE     boots the primary slot without validating it
 *   VARIANT_EARLY_COMPLETE  marks an upgrade complete before the body is copied
 *   VARIANT_ERASE_FACTORY   the rollback erases the factory image (moves instead of copies)
 *   VARIANT_HEADER_FIRST    copies the header first and trusts a well-formed header
 *   VARIANT_ERASE_WRONG_SLOT       "erasing the secondary slot" erases the factory region
 *   VARIANT_COPY_FROM_STAGING      the upgrade copies the staging area, not the secondary slot
 *   VARIANT_ERASE_BEFORE_CHECK     the rollback erases the primary slot before checking the factory image
 *   VARIANT_NO_ROLLBACK_GUARD      the rollback goes ahead whatever the factory region holds
 *   VARIANT_ROLLBACK_VERSION_GUARD the anti-downgrade rule also refuses a rollback to an older factory image
 *   VARIANT_TRAILER_COPIED         the upgrade copies the whole secondary slot, trailer included
 *   VARIANT_STALE_PENDING          the secondary's trailer sector is left as it was after an upgrade
 *   VARIANT_AUTO_ROLLBACK          with no valid image, rolls back at once instead of on a button release
 */
#include "../flash_map.h"
#include "flash.h"
#include "hw.h"
#include "image.h"
#include "sys.h"

#define BUTTON_WINDOW_MS 300u  /* how long each boot looks for a held USER button */
#define BUTTON_HOLD_MS 5000u   /* how long it must stay held to start a rollback */
#define PROGRESS_STEP 20u      /* progress line every 20 % */

static uint32_t rd32(uint32_t a)
{
    const volatile uint8_t *p = (const volatile uint8_t *)a;
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void status_line(const char *prefix, image_status_t st, const char *suffix)
{
    con_puts(prefix);
    con_puts(image_status_str(st));
    con_puts(suffix);
    con_puts("\r\n");
}

static void version_line(const char *prefix, const image_info_t *info, const char *suffix)
{
    con_puts(prefix);
    con_version(info);
    con_puts(suffix);
    con_puts("\r\n");
}

/* A vector table worth jumping to: aligned for VTOR, SP in RAM, Reset/NMI/HardFault
 * are Thumb addresses inside the primary slot, and every word from the table to the
 * end of the app's fault-handler block (its address is in reserved vector 7) is
 * programmed. Not a validation (a faulty variant that skips validation still has
 * it): it only makes sure a booted half-copied app reaches its own HardFault handler
 * and reports, instead of locking up QEMU. */
static int vectors_plausible(uint32_t vt)
{
    const uint32_t slot_end = FLASH_PRIMARY_BASE + FLASH_PRIMARY_SIZE;
    if (vt & 0x7fu)
        return 0;
    uint32_t sp = rd32(vt);
    if ((sp & 3u) || sp <= RAM_BASE || sp > RAM_BASE + 0x400000u)
        return 0;
    for (unsigned i = 1; i <= 3; i++) {
        uint32_t v = rd32(vt + 4 * i);
        if (!(v & 1u) || v < vt || v >= slot_end)
            return 0;
    }
    uint32_t early_end = rd32(vt + 4 * 7);
    if (early_end <= vt || early_end > slot_end || (early_end & 3u))
        return 0;
    for (uint32_t a = vt; a < early_end; a += 4)
        if (rd32(a) == 0xffffffffu)
            return 0;
    return 1;
}

/* Validate the primary slot and print one status line; 1 if it may be booted. */
static int primary_status(image_info_t *pi)
{
#ifdef VARIANT_NO_VALIDATE
    /* FAULTY: no validation at all; a slot "looks bootable" when it has a header or
     * just a plausible initial stack pointer where the vector table should be. */
    image_status_t st = image_parse_header(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE, pi);
    if (st == IMG_OK) {
        version_line("[INF] Primary slot: valid, version ", pi, "");
        return 1;
    }
    uint32_t sp = rd32(FLASH_PRIMARY_BASE + FLASH_IMAGE_HDR_SIZE);
    if (sp > RAM_BASE && sp <= RAM_BASE + 0x400000u) {
        memset(pi, 0, sizeof(*pi));
        pi->hdr_size = FLASH_IMAGE_HDR_SIZE;
        con_line("[INF] Primary slot: bootable (not validated)");
        return 1;
    }
#else
    image_status_t st = image_check(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE, pi);
    if (st == IMG_OK) {
        version_line("[INF] Primary slot: valid, version ", pi, "");
        return 1;
    }
#endif
    status_line("[ERR] Primary slot: invalid (", st, ")");
    return 0;
}

static void progress(const char *label, uint32_t pct)
{
    con_puts(label);
    con_dec(pct);
    con_puts("%\r\n");
}

/* Copy `total` bytes of an image from `src` to the (erased) slot at `dst`, one
 * flash_program_word per word (0xffffffff words are skipped: programming them is a
 * no-op on NOR). The good order writes the body and TLVs first and the header last,
 * so an interrupted copy leaves a slot without a header. */
static void copy_image(uint32_t dst, uint32_t src, uint32_t total, uint32_t hdr_size, const char *label)
{
    uint32_t words = (total + 3u) / 4u, hdr_words = hdr_size / 4u, done = 0, next = PROGRESS_STEP;
    progress(label, 0);
    for (uint32_t n = 0; n < words; n++) {
#ifdef VARIANT_HEADER_FIRST
        uint32_t i = n; /* FAULTY: header first, then body */
        (void)hdr_words;
#else
        uint32_t i = n < words - hdr_words ? hdr_words + n : n - (words - hdr_words);
#endif
        uint32_t v = rd32(src + 4u * i);
        uint32_t left = total - 4u * i;
        if (left < 4u)
            v |= 0xffffffffu << (8u * left); /* bytes past the end stay erased */
        if (v != 0xffffffffu)
            flash_program_word(dst + 4u * i, v);
        done++;
        while (done * 100u >= next * words && next <= 100u) {
            progress(label, next);
            next += PROGRESS_STEP;
        }
    }
}

static void halt_in_bootloader(void)
{
    idle_forever();
}

/* Rollback: validate the factory image, erase the primary slot, copy. Halts (stays in
 * the bootloader) if the factory image is not valid; the primary slot is then untouched. */
static void do_rollback(void)
{
    image_info_t fi;
    con_line("[INF] Rollback initiated");
#ifdef VARIANT_ERASE_BEFORE_CHECK
    /* FAULTY: the slot is cleared first, so an invalid factory image leaves no app at all. */
    flash_erase_range(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE);
#endif
    image_status_t st = image_check(FLASH_FACTORY_BASE, FLASH_FACTORY_SIZE, &fi);
#ifdef VARIANT_NO_ROLLBACK_GUARD
    /* FAULTY: the validity check's result is never acted on. */
    (void)st;
#else
    if (st != IMG_OK) {
        status_line("[ERR] Factory image invalid (", st, "). Staying in bootloader");
        halt_in_bootloader();
    }
#endif
    version_line("[INF] Factory image: valid, version ", &fi, "");
#ifdef VARIANT_ROLLBACK_VERSION_GUARD
    /* FAULTY: the upgrade's anti-downgrade rule, applied to the rollback: a factory image older than the
     * running app is refused without a word, and the app boots again. */
    image_info_t pi;
    if (image_check(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE, &pi) == IMG_OK && image_version_cmp(&fi, &pi) < 0)
        return;
#endif
    uint32_t src = FLASH_FACTORY_BASE;
#ifdef VARIANT_ERASE_FACTORY
    /* FAULTY: the rollback "moves" the factory image: it is buffered in RAM and the
     * factory region erased before the copy, so a power cut loses both copies. */
    memcpy((void *)RAM_BUFFER_ADDR, (const void *)FLASH_FACTORY_BASE, fi.total);
    flash_erase_range(FLASH_FACTORY_BASE, FLASH_FACTORY_SIZE);
    src = RAM_BUFFER_ADDR;
#endif
    con_line("[INF] Erasing primary slot");
    flash_erase_range(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE);
    copy_image(FLASH_PRIMARY_BASE, src, fi.total, fi.hdr_size, "[INF] Copying factory image ");
    con_line("[INF] Rollback complete");
}

static void erase_secondary(void)
{
    con_line("[INF] Erasing secondary slot");
#ifdef VARIANT_ERASE_WRONG_SLOT
    /* FAULTY: a copy-paste of the wrong region's macros. */
    const uint32_t base = FLASH_FACTORY_BASE, size = FLASH_FACTORY_SIZE;
#else
    const uint32_t base = FLASH_SECONDARY_BASE, size = FLASH_SECONDARY_SIZE;
#endif
    /* trailer sector first: from then on no upgrade is pending */
    uint32_t trailer = base + size - FLASH_SECTOR_SIZE;
#ifndef VARIANT_STALE_PENDING /* FAULTY when defined: the pending flag outlives the image it flagged */
    if (!flash_sector_blank(trailer))
        flash_erase_sector(trailer);
#endif
    flash_erase_range(base, trailer - base);
}

static void do_upgrade(const image_info_t *si)
{
    version_line("[INF] Starting upgrade to version ", si, "");
#ifdef VARIANT_EARLY_COMPLETE
    /* FAULTY: the upgrade is marked complete (pending flag = trailer erased) before
     * the body is copied: a power cut now loses the upgrade and the old image. */
    flash_erase_sector(FLASH_SECONDARY_BASE + FLASH_SECONDARY_SIZE - FLASH_SECTOR_SIZE);
#endif
    con_line("[INF] Erasing primary slot");
    flash_erase_range(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE);
#if defined VARIANT_COPY_FROM_STAGING
    /* FAULTY: copies the download area the app filled, not the image that was validated. */
    copy_image(FLASH_PRIMARY_BASE, FLASH_STAGING_BASE, si->total, si->hdr_size, "[INF] Upgrading ");
#elif defined VARIANT_TRAILER_COPIED
    /* FAULTY: copies the whole slot, so the primary slot carries the secondary's trailer. */
    copy_image(FLASH_PRIMARY_BASE, FLASH_SECONDARY_BASE, FLASH_SECONDARY_SIZE, si->hdr_size, "[INF] Upgrading ");
#else
    copy_image(FLASH_PRIMARY_BASE, FLASH_SECONDARY_BASE, si->total, si->hdr_size, "[INF] Upgrading ");
#endif
    image_info_t pi;
    image_status_t st = image_check(FLASH_PRIMARY_BASE, FLASH_PRIMARY_SIZE, &pi);
    if (st != IMG_OK) {
        status_line("[ERR] Upgrade failed: primary slot invalid after copy (", st, ")");
        return;
    }
    erase_secondary();
    con_line("[INF] Upgrade complete");
}

/* Look at the secondary slot; upgrade if it holds a valid image, marked pending by the
 * MCUboot trailer magic, newer than the primary (or the primary is not bootable).
 * Returns 1 if the primary slot was rewritten. */
static int secondary_step(int pri_ok, const image_info_t *pi)
{
    image_info_t si;
    image_status_t st = image_check(FLASH_SECONDARY_BASE, FLASH_SECONDARY_SIZE, &si);
    if (st == IMG_EMPTY) {
        con_line("[INF] Secondary slot: empty");
        return 0;
    }
    if (st != IMG_OK) {
        status_line("[ERR] Secondary slot: invalid (", st, ")");
        /* As MCUboot does: a pending image that fails validation is erased, so that
         * it is neither validated nor offered again at every boot. */
        if (image_trailer_magic(FLASH_SECONDARY_BASE, FLASH_SECONDARY_SIZE))
            erase_secondary();
        return 0;
    }
    int pending = image_trailer_magic(FLASH_SECONDARY_BASE, FLASH_SECONDARY_SIZE);
    version_line("[INF] Secondary slot: valid, version ", &si, pending ? ", upgrade pending" : ", no upgrade pending");
    if (!pending)
        return 0;
    if (pri_ok && image_version_cmp(&si, pi) <= 0) {
        con_puts("[WRN] Secondary slot: version ");
        con_version(&si);
        version_line(" is not newer than primary ", pi, ", upgrade rejected");
        erase_secondary();
        return 0;
    }
    do_upgrade(&si);
    return 1;
}

/* The boot-time rollback window: 1 if the USER button was held for BUTTON_HOLD_MS. */
static int button_window(void)
{
    con_line("[INF] Hold USER button for 5 s to roll back");
    uint32_t t0 = ticks();
    while (!(gpio_take_activation(GPIO_USER_BUTTON) | gpio_level(GPIO_USER_BUTTON))) {
        if (ticks() - t0 >= BUTTON_WINDOW_MS)
            return 0;
        wfi();
    }
    con_line("[INF] USER button held, rollback in 5 s");
    t0 = ticks();
    while (ticks() - t0 < BUTTON_HOLD_MS) {
        if (!gpio_level(GPIO_USER_BUTTON)) {
            con_line("[INF] USER button released, rollback cancelled");
            return 0;
        }
        wfi();
    }
    return 1;
}

static void wait_press_release(void)
{
    while (!(gpio_take_activation(GPIO_USER_BUTTON) | gpio_level(GPIO_USER_BUTTON)))
        wfi();
    con_line("[INF] USER button pressed");
    while (gpio_level(GPIO_USER_BUTTON))
        wfi();
}

__attribute__((noreturn)) static void jump(uint32_t sp, uint32_t pc)
{
    __asm volatile("msr msp, %0\n"
                   "cpsie i\n"
                   "bx %1\n" ::"r"(sp),
                   "r"(pc)
                   : "memory");
    __builtin_unreachable();
}

static void boot_primary(const image_info_t *pi)
{
    uint32_t vt = FLASH_PRIMARY_BASE + pi->hdr_size;
    con_puts("[INF] Starting application at ");
    con_hex(vt);
    con_puts("\r\n");
    if (!vectors_plausible(vt)) {
        con_line("[ERR] Application vector table invalid, not starting");
        halt_in_bootloader();
    }
    irq_disable();
    SYST_CSR = 0;
    SCB_ICSR = 1u << 25; /* PENDSTCLR */
    NVIC_ICER0 = 0xffffffffu;
    NVIC_ICPR0 = 0xffffffffu;
    SCB_VTOR = vt;
    dsb();
    isb();
    jump(rd32(vt), rd32(vt + 4));
}

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    con_line("[INF] MCUboot Bootloader Started");

    image_info_t pi;
    int pri_ok = primary_status(&pi);
    if (secondary_step(pri_ok, &pi))
        pri_ok = primary_status(&pi);

    /* an upgrade has priority; then a rollback request from the app or the button */
    int rollback = 0;
    volatile boot_shared_t *sh = boot_shared();
    if (sh->request == BOOT_REQ_ROLLBACK) {
        sh->request = BOOT_REQ_NONE;
        con_line("[INF] Rollback requested by application");
        rollback = 1;
    } else if (pri_ok) {
        rollback = button_window();
    }

    for (;;) {
        if (rollback) {
            do_rollback();
            pri_ok = primary_status(&pi);
            if (!pri_ok)
                con_line("[ERR] Rollback failed");
        }
        if (pri_ok)
            boot_primary(&pi);
        con_line("[ERR] No valid image found. Press USER button to roll back to factory app");
#ifdef VARIANT_AUTO_ROLLBACK
        (void)wait_press_release; /* FAULTY: rolls back unasked, and again after every cut */
#else
        wait_press_release();
#endif
        rollback = 1;
    }
}
