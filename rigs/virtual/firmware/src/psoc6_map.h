/*
 * Flash map of the PSoC 6 twin: the CY8CPROTO-062-4343W rollback example's layout (USE_EXT_FLASH=0, MCUboot
 * v1.7.2-cypress) placed in the virtual board's NV file, at the same offsets from its base as on the part
 * (internal flash 0x10000000, QSPI XIP 0x18000000). The virtual rig's own map (flash_map.h) is not used here.
 */
#ifndef PSOC6_MAP_H
#define PSOC6_MAP_H

#define PSOC6_BOOTLOADER_BASE 0x21000000 /* 96 KiB, BOOTLOADER_APP_FLASH_SIZE 0x18000 */
#define PSOC6_PRIMARY_BASE 0x21018000
#define PSOC6_SECONDARY_BASE 0x21106000
#define PSOC6_SLOT_SIZE 0x000ee000       /* MCUBOOT_SLOT_SIZE */
#define PSOC6_FACTORY_BASE 0x21800000    /* external flash offset 0 */
#define PSOC6_HDR_SIZE 0x400             /* the app starts at primary + 0x400 */
#define PSOC6_ROW_SIZE 512               /* internal flash row: the unit the rollback copies in */
#define PSOC6_ROW_WRITE_MS 4             /* emulated row write time: the 952 KiB copy takes ~6-8 s */

#endif
