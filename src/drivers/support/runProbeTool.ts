import { basename } from 'node:path';
import { RigError } from '../../core/errors.js';
import { runTool, type ToolResult } from '../../core/exec.js';
import type { DriverContext } from '../../protocols/DriverContext.js';
import type { ProgressParser } from '../../protocols/ProbeProgress.js';
import { toolMessage } from './toolMessage.js';

export interface ProbeToolCall {
  cmd: string;
  args: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Makes a progress parser; each output stream gets its own, so one stream's chunk never splits the other's line. */
  parser?: () => ProgressParser;
  installHint?: string;
  /** Output that means failure even with exit 0 (gdb reports some errors only in text). */
  failsOn?: RegExp;
}

/**
 * Runs a probe tool; a non-zero exit becomes RigError(part, "<tool> (exit N): <the tool's telling line>")
 * with the whole output tail in `detail`, so "no probe" reads as the tool itself put it.
 */
export async function runProbeTool(ctx: Pick<DriverContext, 'part' | 'timeline'>, call: ProbeToolCall): Promise<ToolResult> {
  const parsers = call.parser ? { stdout: call.parser(), stderr: call.parser() } : undefined;
  const result = await runTool({
    part: ctx.part,
    cmd: call.cmd,
    args: call.args,
    timeoutMs: call.timeoutMs,
    signal: call.signal,
    cwd: call.cwd,
    timeline: ctx.timeline,
    installHint: call.installHint,
    reject: false,
    onOutput: parsers && ((chunk, stream) => parsers[stream].feed(chunk)),
  });
  // A last line without its newline is still progress.
  parsers?.stdout.feed('\n');
  parsers?.stderr.feed('\n');
  const failedText = call.failsOn && (call.failsOn.exec(result.stderr) ?? call.failsOn.exec(result.stdout));
  if (result.exitCode !== 0 || failedText) {
    const said = failedText ? toolMessage(failedText[0]) : toolMessage(result.stderr, result.stdout);
    const name = basename(call.cmd);
    throw new RigError(ctx.part, `${name} (exit ${result.exitCode})${said ? `: ${said}` : ''}`, {
      detail: [result.stdout, result.stderr].filter((s) => s.trim()).join('\n') || undefined,
    });
  }
  return result;
}
