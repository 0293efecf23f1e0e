/** `0:07`, `12:30`, `1:02:03`: a run's elapsed time and ETA. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** `0.4s`, `12.0s`: a case's or a step's duration, as the case lines have always shown it. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** `12ms`, `340ms`, `2.5s`: a step's duration, in ms while under a second. */
export function stepTime(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : seconds(ms);
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB'] as const;

/** `912 bytes`, `24.0 KiB`, `1.5 MiB`: a byte count read at a glance. */
export function bytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit ? `${n.toFixed(1)} ${UNITS[unit]}` : `${n} bytes`;
}

/** `2.6 MiB/s`; nothing when too quick to time. */
export function rate(n: number, ms: number): string | undefined {
  return ms > 0 ? `${bytes((n * 1000) / ms)}/s` : undefined;
}
