import { cpSync, existsSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { formatDuration } from '../core/duration.js';
import { ConfigError, RigError } from '../core/errors.js';
import { runTool } from '../core/exec.js';
import type { Mutant, TeethSpec } from './TeethFile.js';

/** Compiler output lines a failed build shows. */
const TAIL_LINES = 12;
const PATCH_TIMEOUT_MS = 30_000;

export type BuildOutcome = { ok: true; image: string; durationMs: number } | { ok: false; why: string; tail: string };

/**
 * Builds one variant of the firmware in a scratch copy of the build folder (`<state root>/teeth/<name>/tree`):
 * the user's tree is never patched or built in. The copy leaves out `.git` and the state root itself (a build
 * folder that is the project holds it). A patch that does not apply is the teeth file's fault (ConfigError); a
 * build that fails or times out is the mutant's outcome, not an error.
 */
export async function buildVariant(
  spec: TeethSpec,
  mutant: Mutant | undefined,
  stateDir: string,
  signal: AbortSignal,
): Promise<BuildOutcome> {
  const name = mutant?.name ?? 'good';
  const tree = join(stateDir, 'teeth', name, 'tree');
  rmSync(tree, { recursive: true, force: true });
  const skip = resolve(stateDir);
  cpSync(spec.build.dir, tree, {
    recursive: true,
    filter: (src) => {
      const path = resolve(src);
      return path !== skip && !path.startsWith(skip + sep) && !path.split(sep).includes('.git');
    },
  });

  if (mutant?.patch) await applyPatch(spec, mutant, tree, signal);

  const command = mutant?.flags ? `${spec.build.command} ${mutant.flags}` : spec.build.command;
  let said = '';
  const started = performance.now();
  let exitCode: number;
  try {
    ({ exitCode } = await runTool({
      part: 'build',
      cmd: command,
      shell: true,
      cwd: tree,
      timeoutMs: spec.build.timeoutMs,
      signal,
      reject: false,
      onOutput: (chunk) => {
        said += chunk;
      },
    }));
  } catch (error) {
    // A build that hangs is this variant's outcome; a compiler that is missing is not (runTool says which).
    if (!(error instanceof RigError) || !/timed out/.test(error.message)) throw error;
    return { ok: false, why: `timed out after ${formatDuration(spec.build.timeoutMs)}`, tail: tailOf(said) };
  }
  if (exitCode !== 0) return { ok: false, why: `exit ${exitCode}`, tail: tailOf(said) };
  const image = join(tree, spec.build.output);
  if (!existsSync(image) || !statSync(image).isFile())
    return { ok: false, why: `no ${spec.build.output} after the build`, tail: tailOf(said) };
  return { ok: true, image, durationMs: performance.now() - started };
}

/** Every patch is tried (--dry-run) on the build folder before anything is built or run. */
export async function checkPatches(spec: TeethSpec, signal: AbortSignal): Promise<void> {
  for (const mutant of spec.mutants) if (mutant.patch) await applyPatch(spec, mutant, spec.build.dir, signal, ['--dry-run']);
}

async function applyPatch(spec: TeethSpec, mutant: Mutant, tree: string, signal: AbortSignal, extra: string[] = []): Promise<void> {
  const patched = await runTool({
    part: 'patch',
    cmd: 'patch',
    args: ['-p1', '--batch', '--forward', '--no-backup-if-mismatch', ...extra, '-d', tree, '-i', mutant.patch!],
    timeoutMs: PATCH_TIMEOUT_MS,
    signal,
    reject: false,
    installHint: 'patch (Debian package patch)',
  });
  if (patched.exitCode === 0) return;
  const said = `${patched.stdout}\n${patched.stderr}`
    .trim()
    .split('\n')
    .slice(-TAIL_LINES)
    .map((l) => `  ${l}`)
    .join('\n');
  throw new ConfigError({
    ...(mutant.patchAt ?? { file: spec.file }),
    message: `mutant ${mutant.name}: ${relative(process.cwd(), mutant.patch!) || mutant.patch} does not apply to ${relative(process.cwd(), spec.build.dir) || '.'} (patch -p1):\n${said}`,
  });
}

function tailOf(output: string): string {
  return output.replace(/\s+$/, '').split('\n').slice(-TAIL_LINES).join('\n');
}
