/* MCUboot image format (bootutil/image.h): header, TLV areas, SHA-256 TLV, trailer magic. */
#ifndef IMAGE_H
#define IMAGE_H
#include <stdint.h>

#define IMAGE_MAGIC 0x96f3b83du
#define IMAGE_HEADER_SIZE 32
#define IMAGE_TLV_INFO_MAGIC 0x6907u
#define IMAGE_TLV_PROT_INFO_MAGIC 0x6908u
#define IMAGE_TLV_SHA256 0x10u

/* struct image_header, little endian:
 *  0 ih_magic  4 ih_load_addr  8 ih_hdr_size(16)  10 ih_protect_tlv_size(16)
 * 12 ih_img_size  16 ih_flags  20 ih_ver {u8 major, u8 minor, u16 revision, u32 build_num}  28 _pad1 */

typedef struct {
    uint32_t hdr_size;
    uint32_t img_size;
    uint32_t prot_size;  /* ih_protect_tlv_size */
    uint32_t total;      /* header + body + protected TLVs + TLV area */
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
} image_info_t;

typedef enum {
    IMG_OK = 0,
    IMG_EMPTY,       /* the whole slot is erased */
    IMG_NO_HEADER,   /* header erased but the slot holds data (interrupted copy) */
    IMG_BAD_MAGIC,
    IMG_BAD_HEADER,  /* sizes do not fit the slot */
    IMG_BAD_TLV,
    IMG_NO_HASH,
    IMG_BAD_HASH,
} image_status_t;

const char *image_status_str(image_status_t s);
/* Header only: magic and sizes (info->total = header + body + protected TLVs). */
image_status_t image_parse_header(uint32_t base, uint32_t slot_size, image_info_t *info);
/* Parse + (unless a faulty variant skips it) verify the image whose header is at `base`
 * in a slot of `slot_size` bytes. */
image_status_t image_check(uint32_t base, uint32_t slot_size, image_info_t *info);
int image_version_cmp(const image_info_t *a, const image_info_t *b);
void con_version(const image_info_t *info);

/* MCUboot trailer: the boot magic in the last 16 bytes of a slot = upgrade pending. */
int image_trailer_magic(uint32_t slot_base, uint32_t slot_size);

#endif
