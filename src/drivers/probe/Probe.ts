/** A debug probe (OpenOCD, pyOCD, a GDB server, STM32_Programmer_CLI): writes images, reads memory, resets. */

export interface FlashImage {
  /** Name in the rig's `images` map. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Load address for raw binaries; ELF and Intel HEX carry their own. */
  address?: number;
}

export interface FlashOptions {
  verify?: boolean;
  /** Reset and run after programming. */
  reset?: boolean;
  /** Ranges to erase before writing, in the same probe session where the tool allows (one connection, not one per range). */
  erase?: Array<{ address: number; size: number }>;
  signal?: AbortSignal;
}

export interface Probe {
  readonly description: string;
  flash(images: FlashImage[], options?: FlashOptions): Promise<void>;
  /** Erases `length` bytes from `address` (whole sectors). */
  erase(address: number, length: number, options?: { signal?: AbortSignal }): Promise<void>;
  read(address: number, length: number, options?: { signal?: AbortSignal }): Promise<Buffer>;
  reset(options?: { signal?: AbortSignal }): Promise<void>;
  close(): Promise<void>;
}
