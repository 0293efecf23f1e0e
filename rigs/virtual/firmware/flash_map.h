/*
 * Flash map of the virtual board (QEMU mps2-an385 with a 16 MiB NV file at 0x21000000).
 *
 * Single source of truth: the C firmware includes this header, and
 * `imageTool flashmap` turns every `#define FLASH_<NAME>_BASE` / `FLASH_<NAME>_SIZE`
 * pair (plain hex literals only) into build/flash_map.json for the TypeScript side.
 *
 * NV file offset = address - FLASH_NV_BASE.
 */
#ifndef FLASH_MAP_H
#define FLASH_MAP_H

/* The whole non-volatile range (the -object memory-backend-file, exactly 16 MiB). */
#define FLASH_NV_BASE           0x21000000
#define FLASH_NV_SIZE           0x01000000

/* Erase unit everywhere (internal and external flash): 4 KiB. */
#define FLASH_SECTOR_SIZE       0x1000
/* Program unit: one 32-bit word (NOR rule: new = old & value). */
#define FLASH_WORD_SIZE         4

/* ---- "Internal flash": 0x21000000 .. 0x217fffff ---- */
#define FLASH_BOOTLOADER_BASE   0x21000000
#define FLASH_BOOTLOADER_SIZE   0x00010000
#define FLASH_PRIMARY_BASE      0x21010000
#define FLASH_PRIMARY_SIZE      0x00010000
#define FLASH_SECONDARY_BASE    0x21020000
#define FLASH_SECONDARY_SIZE    0x00010000
/* Reserved for swap mode; the overwrite-only bootloader never touches it. */
#define FLASH_SCRATCH_BASE      0x21030000
#define FLASH_SCRATCH_SIZE      0x00001000

/* ---- "External flash": 0x21800000 .. 0x21ffffff ---- */
#define FLASH_EXTERNAL_BASE     0x21800000
#define FLASH_EXTERNAL_SIZE     0x00800000
/* Factory ("golden") image, MCUboot format, header at the region base. */
#define FLASH_FACTORY_BASE      0x21800000
#define FLASH_FACTORY_SIZE      0x00010000
/* Download staging area: the host may pre-place upgrade.img here; the app's
 * `upgrade` command copies it into the secondary slot (a simulated OTA download). */
#define FLASH_STAGING_BASE      0x21810000
#define FLASH_STAGING_SIZE      0x00010000

/* MCUboot image header size used by both apps (imgtool --header-size 0x200).
 * Apps are linked to run at FLASH_PRIMARY_BASE + FLASH_IMAGE_HDR_SIZE. */
#define FLASH_IMAGE_HDR_SIZE    0x200
/* Bytes at the end of every slot kept free for the MCUboot trailer
 * (boot magic in the last 16 bytes). */
#define FLASH_TRAILER_SIZE      0x40

/* RAM (SSRAM2/3, volatile, not cleared by a system reset). */
#define RAM_BASE                0x20000000
#define RAM_PROGRAM_SIZE        0x00040000
/* Boot shared block (GPIO levels, rollback request) survives SYSRESETREQ,
 * is zero after power-on (a new QEMU process). */
#define RAM_SHARED_ADDR         0x203fff00
/* Scratch buffer used only by the erase-factory variant. */
#define RAM_BUFFER_ADDR         0x20100000

#endif
