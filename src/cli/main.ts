import { Command, CommanderError } from '@commander-js/extra-typings';
import {
  declareConsole,
  declareDebug,
  declareDoctor,
  declareInit,
  declareList,
  declareReportMerge,
  declareRig,
  declareRigCheck,
  declareRigHealth,
  declareRun,
  declareTeeth,
  declareValidate,
} from './commandLine.js';
import { EXIT } from '../core/outcome.js';
import { DEBUG_EXIT_CODES_HELP, describeError, EXIT_CODES_HELP } from './exitCodes.js';
import { readFileSync } from 'node:fs';
import { err } from './output.js';

// Each command's module (and what it pulls in: drivers, xstate, serialport) loads only when that command runs,
// so `hil --help` and `hil validate` start fast.
function program(): Command {
  const hil = new Command('hil')
    .description('Hardware-in-the-loop tests for bootloaders and firmware updates: power cuts, rollbacks, real boards or the virtual rig')
    .version(version(), '-V, --version', 'print the version')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .showHelpAfterError();

  declareRun(hil)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (scenarios, opts) => {
      process.exitCode = await (await import('./runCommand.js')).runCommand(scenarios, opts);
    });
  declareDebug(hil)
    .addHelpText('after', DEBUG_EXIT_CODES_HELP)
    .action(async (id, opts) => {
      process.exitCode = await (await import('./debugCommand.js')).debugCommand(id, opts);
    });
  declareList(hil).action(async (opts) => {
    process.exitCode = await (await import('./listCommand.js')).listCommand(opts);
  });
  declareValidate(hil).action(async (files) => {
    process.exitCode = (await import('./validateCommand.js')).validateCommand(files);
  });
  declareConsole(hil).action(async (rig, opts) => {
    process.exitCode = await (await import('./consoleCommand.js')).consoleCommand(rig, opts);
  });
  declareReportMerge(hil)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (dirs, opts) => {
      process.exitCode = (await import('./reportCommand.js')).reportMergeCommand(dirs, opts);
    });
  declareTeeth(hil).action(async (file, opts) => {
    process.exitCode = await (await import('./teethCommand.js')).teethCommand(file, opts);
  });
  declareInit(hil).action(async (opts) => {
    process.exitCode = (await import('./initCommand.js')).initCommand(opts);
  });
  declareDoctor(hil).action(async (opts) => {
    process.exitCode = await (await import('./doctorCommand.js')).doctorCommand(opts);
  });
  const rig = declareRig(hil);
  declareRigCheck(rig).action(async (name, opts) => {
    process.exitCode = await (await import('./rigCheckCommand.js')).rigCheckCommand(name, opts);
  });
  declareRigHealth(rig).action(async (name, opts) => {
    process.exitCode = await (await import('./rigHealthCommand.js')).rigHealthCommand(name, opts);
  });
  return hil;
}

/** hil's own version, from its package.json (dist/cli/main.js is two folders below it). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  try {
    // `hil` alone asks what hil does: the help, as `hil --help` prints it, and no error.
    if (argv.length <= 2) {
      program().outputHelp();
      return 0;
    }
    await program().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT.config;
    }
    const { code, message } = describeError(error);
    err(message);
    return code;
  }
}

const code = await main(process.argv);
process.exitCode = code;
