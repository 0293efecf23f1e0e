import { existsSync } from 'node:fs';
import { runTool } from './exec.js';
import { findOnPath } from './findOnPath.js';
import { SYSTEM_TOOLS, type ToolNeed } from './systemTools.js';

/** What this machine has of one tool: where its command is, the version it reports, files of it that are missing. */
export interface ToolStatus {
  /** The command looked for: the rig's own (`cmd:`), else the first of the tool's commands found, else its first. */
  command: string;
  /** Where the command is; undefined when it is not on PATH. */
  path?: string;
  /** The version line it prints (`QEMU emulator version 7.2.22 (Debian ...)`); undefined when it printed none. */
  version?: string;
  /** Files the tool needs that are not there (newlib's headers). */
  missingFiles: string[];
}

/** A version command may hang on a broken install (a probe tool scanning USB): none gets longer than this. */
const VERSION_TIMEOUT_MS = 15_000;
const MAX_VERSION_CHARS = 100;

/** The line of a `--version` answer that carries the version: the first with a digit (socat's second, gdb's first). */
function versionLine(output: string): string | undefined {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.find((l) => /\d/.test(l));
  return line?.slice(0, MAX_VERSION_CHARS);
}

/** Finds a tool's command on `path` (a PATH value) and asks its version; never throws for a missing or broken tool. */
export async function toolStatus(need: ToolNeed, path: string = process.env.PATH ?? ''): Promise<ToolStatus> {
  const tool = SYSTEM_TOOLS[need.tool];
  const candidates = need.command ? [need.command] : tool.commands;
  const missingFiles = (tool.files ?? []).filter((f) => !existsSync(f));
  for (const command of candidates) {
    const found = findOnPath(command, path);
    if (!found) continue;
    const answer = await runTool({
      part: 'doctor',
      cmd: found,
      args: tool.versionArgs,
      timeoutMs: VERSION_TIMEOUT_MS,
      reject: false,
      env: { PATH: path },
    }).catch(() => undefined);
    const version = answer && versionLine(`${answer.stdout}\n${answer.stderr}`);
    return { command, path: found, ...(version ? { version } : {}), missingFiles };
  }
  return { command: candidates[0]!, missingFiles };
}
