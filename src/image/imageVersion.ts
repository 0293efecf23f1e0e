/** MCUboot `struct image_version`: major.minor.revision+build (u8, u8, u16, u32). */
export interface ImageVersion {
  major: number;
  minor: number;
  revision: number;
  buildNum: number;
}

const VERSION_RE = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\+(\d+))?$/;

/** Parses `1`, `1.2`, `1.2.3` or `1.2.3+4` (imgtool's syntax); missing parts are 0. */
export function parseVersion(text: string): ImageVersion {
  const m = VERSION_RE.exec(text.trim());
  if (!m) throw new RangeError(`invalid image version "${text}" (expected major.minor.revision+build, e.g. 1.1.0+0)`);
  const v: ImageVersion = {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    revision: Number(m[3] ?? 0),
    buildNum: Number(m[4] ?? 0),
  };
  const limits: [keyof ImageVersion, number][] = [
    ['major', 0xff],
    ['minor', 0xff],
    ['revision', 0xffff],
    ['buildNum', 0xffffffff],
  ];
  for (const [field, max] of limits) {
    if (v[field] > max) throw new RangeError(`invalid image version "${text}": ${field} ${v[field]} is over ${max}`);
  }
  return v;
}

/** `1.2.3+4`; with `withBuild: false`, `1.2.3` (what the firmware prints when the build number is 0). */
export function formatVersion(v: ImageVersion, options: { withBuild?: boolean } = {}): string {
  const base = `${v.major}.${v.minor}.${v.revision}`;
  return options.withBuild === false ? base : `${base}+${v.buildNum}`;
}

/** Negative, zero or positive, comparing major, minor, revision then build number (as MCUboot does). */
export function compareVersions(a: ImageVersion, b: ImageVersion): number {
  return a.major - b.major || a.minor - b.minor || a.revision - b.revision || a.buildNum - b.buildNum;
}
