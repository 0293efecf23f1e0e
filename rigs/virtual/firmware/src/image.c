#include "image.h"
#include "sha256.h"
#include "sys.h"
#include "../flash_map.h"

static const uint8_t boot_magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                       0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};

static uint32_t rd8(uint32_t a) { return *(const volatile uint8_t *)a; }
static uint32_t rd16(uint32_t a) { return rd8(a) | rd8(a + 1) << 8; }
static uint32_t rd32(uint32_t a) { return rd16(a) | rd16(a + 2) << 16; }

const char *image_status_str(image_status_t s)
{
    switch (s) {
    case IMG_OK: return "ok";
    case IMG_EMPTY: return "empty";
    case IMG_NO_HEADER: return "no header";
    case IMG_BAD_MAGIC: return "bad magic";
    case IMG_BAD_HEADER: return "bad header";
    case IMG_BAD_TLV: return "bad TLV";
    case IMG_NO_HASH: return "no hash TLV";
    case IMG_BAD_HASH: return "bad hash";
    }
    return "?";
}

static int region_blank(uint32_t base, uint32_t size)
{
    for (uint32_t a = base; a < base + size; a += 4)
        if (*(const volatile uint32_t *)a != 0xffffffffu)
            return 0;
    return 1;
}

image_status_t image_parse_header(uint32_t base, uint32_t slot_size, image_info_t *info)
{
    memset(info, 0, sizeof(*info));
    uint32_t magic = rd32(base);
    if (magic == 0xffffffffu)
        return region_blank(base, slot_size) ? IMG_EMPTY : IMG_NO_HEADER;
    if (magic != IMAGE_MAGIC)
        return IMG_BAD_MAGIC;

    uint32_t limit = slot_size - FLASH_TRAILER_SIZE;
    info->hdr_size = rd16(base + 8);
    info->prot_size = rd16(base + 10);
    info->img_size = rd32(base + 12);
    info->major = (uint8_t)rd8(base + 20);
    info->minor = (uint8_t)rd8(base + 21);
    info->revision = (uint16_t)rd16(base + 22);
    info->build = rd32(base + 24);
    if (info->hdr_size < IMAGE_HEADER_SIZE || (info->hdr_size & 3u) || info->hdr_size > limit ||
        info->img_size > limit - info->hdr_size ||
        info->prot_size > limit - info->hdr_size - info->img_size)
        return IMG_BAD_HEADER;
    info->total = info->hdr_size + info->img_size + info->prot_size;
    return IMG_OK;
}

image_status_t image_check(uint32_t base, uint32_t slot_size, image_info_t *info)
{
    image_status_t st = image_parse_header(base, slot_size, info);
    if (st != IMG_OK)
        return st;
    uint32_t limit = slot_size - FLASH_TRAILER_SIZE;
    uint32_t hashed = info->total;
#ifdef VARIANT_HEADER_FIRST
    /* FAULTY: "the header looks fine" is taken as proof of a complete image;
     * the TLVs are only used to know how much to copy, the hash is never checked. */
    if (limit - hashed >= 4 && rd16(base + hashed) == IMAGE_TLV_INFO_MAGIC && rd16(base + hashed + 2) <= limit - hashed)
        info->total = hashed + rd16(base + hashed + 2);
    return IMG_OK;
#else

    if (info->prot_size) {
        uint32_t p = base + info->hdr_size + info->img_size;
        if (info->prot_size < 4 || rd16(p) != IMAGE_TLV_PROT_INFO_MAGIC || rd16(p + 2) != info->prot_size)
            return IMG_BAD_TLV;
    }
    uint32_t tlv = base + hashed;
    if (limit - hashed < 4 || rd16(tlv) != IMAGE_TLV_INFO_MAGIC)
        return IMG_BAD_TLV;
    uint32_t tot = rd16(tlv + 2);
    if (tot < 4 || tot > limit - hashed)
        return IMG_BAD_TLV;
    info->total = hashed + tot;

    uint32_t hash_at = 0;
    for (uint32_t off = 4; off + 4 <= tot;) {
        uint32_t type = rd16(tlv + off), len = rd16(tlv + off + 2);
        if (off + 4 + len > tot)
            return IMG_BAD_TLV;
        if (type == IMAGE_TLV_SHA256 && len == 32)
            hash_at = tlv + off + 4;
        off += 4 + len;
    }
    if (!hash_at)
        return IMG_NO_HASH;

    sha256_ctx c;
    uint8_t digest[32];
    sha256_init(&c);
    sha256_update(&c, (const uint8_t *)base, hashed);
    sha256_final(&c, digest);
    if (memcmp(digest, (const void *)hash_at, 32) != 0)
        return IMG_BAD_HASH;
    return IMG_OK;
#endif
}

int image_version_cmp(const image_info_t *a, const image_info_t *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->revision != b->revision)
        return a->revision < b->revision ? -1 : 1;
    if (a->build != b->build)
        return a->build < b->build ? -1 : 1;
    return 0;
}

void con_version(const image_info_t *info)
{
    con_dec(info->major);
    con_putc('.');
    con_dec(info->minor);
    con_putc('.');
    con_dec(info->revision);
    if (info->build) {
        con_putc('+');
        con_dec(info->build);
    }
}

int image_trailer_magic(uint32_t slot_base, uint32_t slot_size)
{
    return memcmp((const void *)(slot_base + slot_size - 16), boot_magic, 16) == 0;
}
