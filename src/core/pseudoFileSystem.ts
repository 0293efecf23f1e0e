import { statfsSync } from 'node:fs';

/** Kernel filesystems (statfs f_type): their files are made up when read and mkdir there fails or hangs. */
const PSEUDO_FS: Record<number, string> = {
  0x9fa0: 'procfs',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstore',
  0x62656570: 'configfs',
  0xde5e81e4: 'efivarfs',
  0x19800202: 'mqueue',
  0x42494e4d: 'binfmt_misc',
  0x65735543: 'fusectl',
  0xf97cff8c: 'selinuxfs',
};

/** The kernel filesystem `path` is on (`procfs`, `sysfs`...), or undefined for one that holds files. */
export function pseudoFileSystem(path: string): string | undefined {
  return PSEUDO_FS[statfsSync(path).type];
}
