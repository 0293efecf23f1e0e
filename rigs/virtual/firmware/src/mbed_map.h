/*
 * Flash map of the Mbed twin: the NUCLEO-F429ZI layout of the Mbed bootloader v4.0 (seed 001) placed in the
 * virtual board's NV file at the same offsets from its base as on the part (0x08000000): bootloader, the
 * internal header at update-client.application-details, the application at application-start-address, the
 * KVStore and the update candidate in the second 1 MiB bank. The virtual rig's own map (flash_map.h) is not
 * used here.
 */
#ifndef MBED_MAP_H
#define MBED_MAP_H

#define MBED_BOOTLOADER_BASE 0x21000000 /* 32 KiB, target.restrict_size */
#define MBED_HEADER_ADDR 0x21008000     /* update-client.application-details: the 112-byte internal header */
#define MBED_APP_ADDR 0x21008400        /* mbed-bootloader.application-start-address */
#define MBED_APP_MAX 0x000f7c00         /* to the end of bank 1 */
#define MBED_CANDIDATE_ADDR 0x21120000  /* update-client.storage-address (slot 0), after the 128 KiB KVStore */
#define MBED_CANDIDATE_HDR 0x400        /* the 296-byte candidate header, page-rounded: the body follows */

#endif
