import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/outcome.js';
import { describeError } from './exitCodes.js';
import { err } from './output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

// Each command's module (and what it pulls in: drivers, xstate, serialport) loads only when that command runs,
// so `hil --help` and `hil validate` start fast.

// Long on purpose: one declaration per command and option, read as a table of the CLI.
function program(): Command {
  const hil = new Command('hil')
    .description('Hardware-in-the-loop tests for bootloaders and firmware updates: power cuts, rollbacks, real boards or the virtual rig')
    .exitOverride()
    .showHelpAfterError();

  hil
    .command('run')
    .description('run scenarios on a rig and write JUnit/JSON reports (exit 0 pass, 1 fail, 2 config, 3 rig error)')
    .argument('<scenario...>', 'scenario names (scenarios/NAME.yaml) or paths')
    .option('--rig <name|path>', 'rig to use (default: the first rig with the scenario\'s labels)')
    .option('--param <key=value>', 'fix a parameter (a comma list sweeps those values); repeatable', collect, [])
    .option('--image <name=path>', "flash this file instead of the rig's image NAME (e.g. a faulty bootloader build); repeatable", collect, [])
    .option('--repeat <n>', 'run every case n times', '1')
    .option('--case <id>', "run only this case, e.g. 'rollback-powerfail[cut_after=60ms]'; repeatable", collect, [])
    .option('--report-dir <dir>', 'where reports go', 'reports')
    .option('--shard <i/n>', 'run only shard i of n: every n-th expanded case from the i-th (one runner each)')
    .option('--wait <seconds>', 'queue this long for a rig another run holds (default: $HIL_WAIT, else fail at once with exit 3)')
    .option('--retries <n>', 'run a case that errored (rig fault, never a failed case) up to n more times; a pass on retry is reported flaky')
    .option('--quarantine-after <n>', 'take a rig out of service after n rig errors in a row, until `hil rig check` passes (0: never; default $HIL_QUARANTINE_AFTER, else 3)')
    .option('--jobs <n>', 'run cases on n rigs at once: copies of a virtual rig, or n rig files with the scenario\'s labels', '1')
    .option('--until-coverage', 'after the planned cases, draw more cut points until every cuttable model state had a cut in it')
    .option('--max-cases <n>', 'cap per scenario for --until-coverage', '200')
    .option('--json', 'print the run result as JSON on stdout (progress goes to stderr)')
    .option('-v, --verbose', 'print each step as it starts')
    .action(async (scenarios: string[], opts) => {
      process.exitCode = await (await import('./runCommand.js')).runCommand(scenarios, opts);
    });

  hil
    .command('list')
    .description('list scenarios and rigs, one line each')
    .option('--json', 'machine-readable, for schedulers')
    .action(async (opts) => {
      process.exitCode = await (await import('./listCommand.js')).listCommand(opts);
    });

  hil
    .command('validate')
    .description('check rig and scenario files (all of them with no argument); exit 2 on any problem')
    .argument('[files...]', 'files to check')
    .action(async (files: string[]) => {
      process.exitCode = (await import('./validateCommand.js')).validateCommand(files);
    });

  hil
    .command('console')
    .description("show a rig's console live with timestamps (stdin is sent to the board); Ctrl-C to leave")
    .argument('<rig>', 'rig name or path')
    .option('--power', 'switch the board on first, and off when leaving')
    .option('--wait <seconds>', 'queue this long for a rig another run or console holds (default $HIL_WAIT, else 0)')
    .action(async (rig: string, opts) => {
      process.exitCode = await (await import('./consoleCommand.js')).consoleCommand(rig, opts);
    });

  hil
    .command('report')
    .description('work on reports')
    .command('merge')
    .description('merge the results.json of several runs (runners, shards) into one junit.xml, results.json and index.html')
    .argument('<dir...>', 'run folders, reports folders or downloaded CI artifacts (searched for results.json)')
    .option('--out <dir>', 'where the merged report goes', 'reports/merged')
    .action(async (dirs: string[], opts) => {
      process.exitCode = (await import('./reportCommand.js')).reportMergeCommand(dirs, opts);
    });

  hil
    .command('teeth')
    .description('mutation score: build each mutant of the firmware (patches, build flags), run the scenarios against each, print what caught it (exit 0 all caught, 1 one missed or the good build fails)')
    .argument('[file]', 'teeth file: build recipe, scenarios, mutants (docs/teeth.md)', 'teeth.yaml')
    .option('--all', 'run every scenario against every mutant, not only up to the first that catches it')
    .option('--wait <seconds>', 'queue this long for a rig another run holds (default: $HIL_WAIT, else fail at once with exit 3)')
    .option('--report-dir <dir>', 'where reports go, one folder per variant', 'reports/teeth')
    .action(async (file: string, opts) => {
      process.exitCode = await (await import('./teethCommand.js')).teethCommand(file, opts);
    });

  const rig = hil.command('rig').description('rig maintenance');
  rig
    .command('check')
    .description('check each part of a rig (console, probe, power, outputs) is there; exit 3 naming a failed part')
    .argument('<rig>', 'rig name or path')
    .option('--timeout <seconds>', 'per-part limit', '60')
    .action(async (name: string, opts) => {
      process.exitCode = await (await import('./rigCheckCommand.js')).rigCheckCommand(name, opts);
    });

  rig
    .command('health')
    .description("rig check, then the rig's health scenario (`health:` in the rig file); both passing ends a quarantine")
    .argument('<rig>', 'rig name or path')
    .option('--timeout <seconds>', 'per-part limit of the check', '60')
    .option('--wait <seconds>', 'queue this long for the rig if another run holds it')
    .option('--report-dir <dir>', 'where reports go', 'reports')
    .action(async (name: string, opts) => {
      process.exitCode = await (await import('./rigHealthCommand.js')).rigHealthCommand(name, opts);
    });

  return hil;
}

export async function main(argv: string[]): Promise<number> {
  try {
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
