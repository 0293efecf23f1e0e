/*
 * Mbed twin: the console and behaviour of the Mbed bootloader v4.0.x (PelionIoT/mbed-bootloader, printf
 * output, show-progress-bar on) on the virtual board, so that a scenario written for a real board runs here
 * unchanged. What it keeps from the real one:
 *   - "[BOOT] " and "[ERR ] " lines ending "\r\n" (tr_info, tr_error);
 *   - the internal header v2 (112 bytes, big-endian: magic 0x5a51b3d4, version 2, firmware version, size,
 *     SHA-256 of the body, campaign, signature size, CRC32 of bytes 0-107) before the application;
 *   - an application is valid when the header is and the SHA-256 over `size` bytes from the application start
 *     matches; a hash mismatch prints both hashes;
 *   - the progress bar: "\r[BOOT] [" + 70 characters + "]", redrawn in place whenever progress*70/total
 *     changes, the last one ending "]\r\n": one wire line, many segments; during every check and the copy;
 *   - an install erases, writes the new header, then copies the body: a cut leaves a good header over a
 *     partial body (or no header, during the erase), and the next boot installs again;
 *   - "[ERR ] Failed to jump to application!" and then a WFI loop for ever: no retry, no reset.
 * The candidate (slot 0) holds a 296-byte header (magic, version 2, firmware version, size and SHA-256 at the
 * internal header's offsets, an HMAC-SHA256 of bytes 0-231 at 232) and, after it rounded to 1 KiB, the body.
 * The HMAC key stands for the device's root of trust: a fixed one here (tools/mbedimage.mjs has the same).
 *
 * Faulty flavour, by build flag:
 *   VARIANT_TRUST_HEADER_VERSION  compares the candidate with the version in the active header even when the
 *                                 active firmware failed its check: after a cut mid-install (the new header is
 *                                 already written) the candidate is "of older date" and the board is left
 *                                 without an application
 */
#include "flash.h"
#include "hw.h"
#include "mbed_map.h"
#include "sha256.h"
#include "sys.h"
#include "twin.h"

#define HEADER_MAGIC 0x5a51b3d4u
#define HEADER_VERSION 2u
#define INTERNAL_HEADER_SIZE 112u
#define CANDIDATE_HMAC_OFFSET 232u
#define BAR_WIDTH 70u
#define CHUNK 1024u

static const uint8_t rot_key[16] = {'h', 'i', 'l', '-', 'v', 'i', 'r', 't', 'u', 'a', 'l', '-', 'r', 'o', 't', 0};

/* the layout information the real bootloader prints the address of */
static const struct {
    uint32_t version, header, app, candidate;
} layout = {1, MBED_HEADER_ADDR, MBED_APP_ADDR, MBED_CANDIDATE_ADDR};

typedef struct {
    uint64_t version;
    uint32_t size;
    uint8_t hash[32];
} firmware_t;

static uint32_t rd8(uint32_t a) { return *(const volatile uint8_t *)a; }
static uint32_t be32(uint32_t a) { return rd8(a) << 24 | rd8(a + 1) << 16 | rd8(a + 2) << 8 | rd8(a + 3); }
static uint64_t be64(uint32_t a) { return (uint64_t)be32(a) << 32 | be32(a + 4); }

static void boot(const char *s)
{
    con_puts("[BOOT] ");
    con_line(s);
}

static void error(const char *s)
{
    con_puts("[ERR ] ");
    con_line(s);
}

static void dec64(uint64_t v)
{
    char buf[21];
    int i = 20;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + (unsigned)(v % 10u));
        v /= 10u;
    } while (v);
    con_puts(&buf[i]);
}

/* ---- the progress bar ---- */

static int bar_drawn;

static void bar(uint32_t done, uint32_t total)
{
    int n = total ? (int)((uint64_t)done * BAR_WIDTH / total) : (int)BAR_WIDTH;
    if (n == bar_drawn)
        return;
    bar_drawn = n;
    con_puts("\r[BOOT] [");
    for (int i = 0; i < (int)BAR_WIDTH; i++)
        con_putc(i < n ? '+' : ' ');
    con_putc(']');
    if (n == (int)BAR_WIDTH)
        con_puts("\r\n");
}

/* SHA-256 of `size` bytes at `addr`, with a progress bar */
static void hash_with_bar(uint32_t addr, uint32_t size, uint8_t out[32])
{
    sha256_ctx c;
    sha256_init(&c);
    bar_drawn = -1;
    bar(0, size);
    for (uint32_t off = 0; off < size; off += CHUNK) {
        uint32_t n = size - off < CHUNK ? size - off : CHUNK;
        sha256_update(&c, (const uint8_t *)(addr + off), n);
        bar(off + n, size);
    }
    bar(size, size);
    sha256_final(&c, out);
}

static void sha_line(const uint8_t h[32])
{
    con_puts("[BOOT] SHA256: ");
    for (unsigned i = 0; i < 32; i++)
        twin_hex(h[i], 2, 1);
    con_puts("\r\n");
}

static void version_line(uint64_t v)
{
    con_puts("[BOOT] Version: ");
    dec64(v);
    con_puts("\r\n");
}

/* ---- headers ---- */

static uint32_t crc32(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = c & 1u ? (c >> 1) ^ 0xedb88320u : c >> 1;
    }
    return c ^ 0xffffffffu;
}

static void read_fields(uint32_t h, firmware_t *fw)
{
    fw->version = be64(h + 8);
    uint64_t size = be64(h + 16);
    fw->size = size > 0xffffffffu ? 0xffffffffu : (uint32_t)size;
    for (unsigned i = 0; i < 32; i++)
        fw->hash[i] = (uint8_t)rd8(h + 24 + i);
}

/* magic, version and CRC of the internal header */
static int internal_header_ok(firmware_t *fw)
{
    if (be32(MBED_HEADER_ADDR) != HEADER_MAGIC || be32(MBED_HEADER_ADDR + 4) != HEADER_VERSION)
        return 0;
    if (crc32((const uint8_t *)MBED_HEADER_ADDR, 108) != be32(MBED_HEADER_ADDR + 108))
        return 0;
    read_fields(MBED_HEADER_ADDR, fw);
    return 1;
}

static void hmac_sha256(const uint8_t *msg, uint32_t n, uint8_t out[32])
{
    uint8_t pad[64];
    sha256_ctx c;
    for (unsigned i = 0; i < 64; i++)
        pad[i] = (uint8_t)((i < sizeof rot_key ? rot_key[i] : 0) ^ 0x36);
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, msg, n);
    sha256_final(&c, out);
    for (unsigned i = 0; i < 64; i++)
        pad[i] ^= 0x36 ^ 0x5c;
    sha256_init(&c);
    sha256_update(&c, pad, 64);
    sha256_update(&c, out, 32);
    sha256_final(&c, out);
}

/* magic, version and HMAC of the candidate's header; "empty" covers every way it is not there */
static int candidate_header_ok(firmware_t *fw)
{
    uint8_t mac[32];
    if (be32(MBED_CANDIDATE_ADDR) != HEADER_MAGIC || be32(MBED_CANDIDATE_ADDR + 4) != HEADER_VERSION)
        return 0;
    hmac_sha256((const uint8_t *)MBED_CANDIDATE_ADDR, CANDIDATE_HMAC_OFFSET, mac);
    if (memcmp(mac, (const void *)(MBED_CANDIDATE_ADDR + CANDIDATE_HMAC_OFFSET), 32) != 0)
        return 0;
    read_fields(MBED_CANDIDATE_ADDR, fw);
    return 1;
}

/* ---- checks ---- */

/* The active firmware's integrity check, with its lines; `hdr_ok` says whether its header was readable. */
static int active_check(firmware_t *fw, int *hdr_ok)
{
    boot("Active firmware integrity check:");
    *hdr_ok = internal_header_ok(fw);
    if (*hdr_ok && fw->size == 0) {
        boot("Active firmware slot is empty");
        return 0;
    }
    if (!*hdr_ok || fw->size > MBED_APP_MAX) {
        error("Active firmware integrity check failed");
        return 0;
    }
    uint8_t h[32];
    hash_with_bar(MBED_APP_ADDR, fw->size, h);
    sha_line(fw->hash);
    if (memcmp(h, fw->hash, 32) != 0) {
        sha_line(h);
        error("Active firmware integrity check failed");
        return 0;
    }
    version_line(fw->version);
    return 1;
}

static int candidate_check(firmware_t *c)
{
    boot("Slot 0 firmware integrity check:");
    if (c->size > MBED_APP_MAX) {
        con_puts("[ERR ] Slot 0 firmware size too large ");
        con_dec(c->size);
        con_puts(" > ");
        con_dec(MBED_APP_MAX);
        con_puts("\r\n");
        return 0;
    }
    uint8_t h[32];
    hash_with_bar(MBED_CANDIDATE_ADDR + MBED_CANDIDATE_HDR, c->size, h);
    sha_line(c->hash);
    if (memcmp(h, c->hash, 32) != 0) {
        sha_line(h);
        error("Slot 0 firmware integrity check failed");
        return 0;
    }
    version_line(c->version);
    return 1;
}

/* ---- the install: erase, new header, body ---- */

static void put_be(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static void program(uint32_t dst, const uint8_t *src, uint32_t n)
{
    for (uint32_t i = 0; i < n; i += 4) {
        uint32_t v = src[i] | (uint32_t)src[i + 1] << 8 | (uint32_t)src[i + 2] << 16 | (uint32_t)src[i + 3] << 24;
        if (v != 0xffffffffu)
            flash_program_word(dst + i, v);
    }
}

static int install(const firmware_t *c)
{
    boot("Update active firmware using slot 0:");
    flash_erase_range(MBED_HEADER_ADDR, MBED_APP_ADDR - MBED_HEADER_ADDR + c->size);

    uint8_t hdr[INTERNAL_HEADER_SIZE];
    memset(hdr, 0, sizeof hdr);
    put_be(hdr, HEADER_MAGIC, 4);
    put_be(hdr + 4, HEADER_VERSION, 4);
    put_be(hdr + 8, c->version, 8);
    put_be(hdr + 16, c->size, 8);
    memcpy(hdr + 24, (const void *)(MBED_CANDIDATE_ADDR + 24), 64);
    memcpy(hdr + 88, (const void *)(MBED_CANDIDATE_ADDR + 160), 16); /* campaign */
    put_be(hdr + 108, crc32(hdr, 108), 4);
    program(MBED_HEADER_ADDR, hdr, sizeof hdr); /* the header before the body */

    uint32_t words = (c->size + 3u) / 4u;
    bar_drawn = -1;
    bar(0, words);
    for (uint32_t n = 0; n < words; n++) {
        uint32_t v = *(const volatile uint32_t *)(MBED_CANDIDATE_ADDR + MBED_CANDIDATE_HDR + 4u * n);
        if (v != 0xffffffffu)
            flash_program_word(MBED_APP_ADDR + 4u * n, v);
        bar(n + 1, words);
    }

    boot("Verify new active firmware:");
    firmware_t fw;
    uint8_t h[32];
    int ok = internal_header_ok(&fw);
    hash_with_bar(MBED_APP_ADDR, ok ? fw.size : 0, h);
    if (ok && memcmp(h, fw.hash, 32) == 0) {
        boot("New active firmware is valid");
        return 1;
    }
    error("Firmware update failed");
    return 0;
}

static void address_line(const char *what, uint32_t v)
{
    con_puts("[BOOT] Application's ");
    con_puts(what);
    con_puts(" address: 0x");
    twin_hex(v, 0, 1);
    con_puts("\r\n");
}

int main(void)
{
    systick_init();
    uart_init_all();
    gpio_init();
    boot("Mbed Bootloader");
    boot("ARM: 1563FB3B83207213C2BE6C1801C7254546B1DFB4");
    boot("OEM: 0000000000000000000000000000000000000000");
    con_puts("[BOOT] Layout: ");
    con_dec(layout.version);
    con_putc(' ');
    twin_hex((uint32_t)&layout, 0, 1);
    con_puts("\r\n");

    firmware_t active, cand;
    int active_hdr;
    int active_ok = active_check(&active, &active_hdr);
#ifdef VARIANT_TRUST_HEADER_VERSION
    /* FAULTY: the header's version counts even when the firmware behind it failed its check */
    int compare = active_hdr;
#else
    int compare = active_ok;
#endif
    int installed = 0;
    if (!candidate_header_ok(&cand)) {
        boot("Slot 0 is empty");
    } else if (compare && cand.version <= active.version) {
        boot("Slot 0 firmware is of older date");
        version_line(cand.version);
    } else if (candidate_check(&cand)) {
        installed = 1;
        active_ok = install(&cand);
    }
    if (!installed) {
        if (active_ok)
            boot("Active firmware up-to-date");
        else
            error("Active firmware invalid");
    }
    if (active_ok) {
        address_line("start", MBED_APP_ADDR);
        address_line("jump", *(const volatile uint32_t *)(MBED_APP_ADDR + 4));
        address_line("stack", *(const volatile uint32_t *)MBED_APP_ADDR);
        boot("Forwarding to application...\r\n");
        if (twin_vectors_plausible(MBED_APP_ADDR, MBED_APP_ADDR + MBED_APP_MAX))
            twin_start(MBED_APP_ADDR);
    } else {
        error("Failed to jump to application!");
    }
    for (;;)
        wfi();
}
