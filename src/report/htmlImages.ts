import { escapeHtml } from './htmlText.js';

/**
 * The images a case flashed, from its `image.<name>.*` properties: path, version (an MCUboot header's), sha256,
 * and whether `--image` (or the scenario's `images:`) replaced the rig's own file. A replaced image is the first thing to check when a case
 * fails on one build and not on another, so it is in the header, not in the properties.
 */
export function renderImages(properties: Readonly<Record<string, string>>): string {
  const images = new Map<string, Record<string, string>>();
  for (const [key, value] of Object.entries(properties)) {
    const m = /^image\.(.+)\.(sha256|path|version|overridden)$/.exec(key);
    if (!m) continue;
    const fields = images.get(m[1]!) ?? images.set(m[1]!, {}).get(m[1]!)!;
    fields[m[2]!] = value;
  }
  if (!images.size) return '';
  const rows = [...images]
    .map(
      ([name, i]) =>
        `<tr class="${i['overridden'] ? 'overridden' : ''}"><td>${escapeHtml(name)}</td><td class="path">${escapeHtml(i['path'] ?? '')}</td><td>${escapeHtml(i['version'] ?? '')}</td><td class="sha">${escapeHtml(i['sha256'] ?? '')}</td><td>${i['overridden'] ? `<span class="badge override">${escapeHtml(i['overridden'])}</span>` : 'rig'}</td></tr>`,
    )
    .join('');
  return `<table class="images"><thead><tr><th>image</th><th>path</th><th>version</th><th>sha256</th><th>from</th></tr></thead><tbody>${rows}</tbody></table>`;
}
