import type { Command } from '@commander-js/extra-typings';

// The command line as a table: one declaration per command, argument and option. The option declarations are
// the only source of each command's options type; main.ts gives each command its action.

const collect = (value: string, previous: string[]) => [...previous, value];

/** The options a declared command's action receives, typed by its declarations. */
type OptionsOf<Declare extends (parent: Command) => { opts(): unknown }> = ReturnType<ReturnType<Declare>['opts']>;

export const declareRun = (hil: Command) =>
  hil
    .command('run')
    .description('run scenarios on a rig and write JUnit/JSON reports (exit 0 pass, 1 fail, 2 config, 3 rig error)')
    .argument('<scenario...>', 'scenario names (scenarios/NAME.yaml) or paths')
    .option('--rig <name|path>', "rig to use (default: the first rig with the scenario's labels)")
    .option('--param <key=value>', 'fix a parameter (a comma list sweeps those values); repeatable', collect, [])
    .option(
      '--image <name=path>',
      "flash this file instead of the rig's image NAME (e.g. a faulty bootloader build); repeatable",
      collect,
      [],
    )
    .option('--repeat <n>', 'run every case n times', '1')
    .option('--case <id>', "run only this case, e.g. 'rollback-powerfail[cut_after=60ms]'; repeatable", collect, [])
    .option('--report-dir <dir>', 'where reports go', 'reports')
    .option('--shard <i/n>', 'run only shard i of n: every n-th expanded case from the i-th (one runner each)')
    .option('--wait <seconds>', 'queue this long for a rig another run holds (default: $HIL_WAIT, else fail at once with exit 3)')
    .option(
      '--retries <n>',
      'run a case that errored (rig fault, never a failed case) up to n more times; a pass on retry is reported flaky',
    )
    .option(
      '--quarantine-after <n>',
      'take a rig out of service after n rig errors in a row, until `hil rig check` passes (0: never; default $HIL_QUARANTINE_AFTER, else 3)',
    )
    .option('--jobs <n>', "run cases on n rigs at once: copies of a virtual rig, or n rig files with the scenario's labels", '1')
    .option('--survey', 'start the cases of a hit sweep at their cut from one survey of its hits (default for hit: all)')
    .option('--no-survey', 'run every case of a hit sweep whole')
    .option('--until-coverage', 'after the planned cases, draw more cut points until every cuttable model state had a cut in it')
    .option('--max-cases <n>', 'cap per scenario for --until-coverage', '200')
    .option('--json', 'print the run result as JSON on stdout (progress goes to stderr)')
    .option('-v, --verbose', 'print each step and flash with its duration; on a terminal also show the last console lines');
export type RunOptions = OptionsOf<typeof declareRun>;

export const declareDebug = (hil: Command) =>
  hil
    .command('debug')
    .description(
      'replay a case to just before its cut and leave the board halted there, power on, for gdb; the model still follows the console; Ctrl-C ends it',
    )
    .argument('<case>', "the case's id, as a run's summary or `hil list` names it: 'rollback-powerfail-exhaustive[hit=5]'")
    .option('--before <n>', 'a cut at a code location: halt n hits before the cut (default 1; 0: at the cut itself)')
    .option('--cut <k>', "which of a multi-cut case's cuts, 1-based (default: its last; the earlier ones are made as in the case)")
    .option('--gdb-port <port>', "serve the board's gdbstub on this local port (default: the port QEMU picked, printed)")
    .option('--rig <name|path>', 'as for hil run')
    .option('--image <name=path>', 'as for hil run: the build the case failed with; repeatable', collect, [])
    .option('--report-dir <dir>', "where the case's console and timeline go (under debug/)", 'reports')
    .option('--wait <seconds>', 'queue this long for a rig another run holds (default $HIL_WAIT, else 0)');
export type DebugOptions = OptionsOf<typeof declareDebug>;

export const declareList = (hil: Command) =>
  hil.command('list').description('list scenarios and rigs, one line each').option('--json', 'machine-readable, for schedulers');
export type ListOptions = OptionsOf<typeof declareList>;

export const declareValidate = (hil: Command) =>
  hil
    .command('validate')
    .description('check rig and scenario files (all of them with no argument); exit 2 on any problem')
    .argument('[files...]', 'files to check');

export const declareConsole = (hil: Command) =>
  hil
    .command('console')
    .description("show a rig's console live with timestamps (stdin is sent to the board); Ctrl-C to leave")
    .argument('<rig>', 'rig name or path')
    .option('--power', 'switch the board on first, and off when leaving')
    .option('--wait <seconds>', 'queue this long for a rig another run or console holds (default $HIL_WAIT, else 0)');
export type ConsoleOptions = OptionsOf<typeof declareConsole>;

export const declareReportMerge = (hil: Command) =>
  hil
    .command('report')
    .description('work on reports')
    .command('merge')
    .description('merge the results.json of several runs (runners, shards) into one junit.xml, results.json and index.html')
    .argument('<dir...>', 'run folders, reports folders or downloaded CI artifacts (searched for results.json)')
    .option('--out <dir>', 'where the merged report goes', 'reports/merged');
export type ReportMergeOptions = OptionsOf<typeof declareReportMerge>;

export const declareTeeth = (hil: Command) =>
  hil
    .command('teeth')
    .description(
      'mutation score: build each mutant of the firmware (patches, build flags), run the scenarios against each, print what caught it (exit 0 all caught, 1 one missed or the good build fails)',
    )
    .argument('[file]', 'teeth file: build recipe, scenarios, mutants (docs/teeth.md)', 'teeth.yaml')
    .option('--all', 'run every scenario against every mutant, not only up to the first that catches it')
    .option('--wait <seconds>', 'queue this long for a rig another run holds (default: $HIL_WAIT, else fail at once with exit 3)')
    .option('--report-dir <dir>', 'where reports go, one folder per variant', 'reports/teeth');
export type TeethOptions = OptionsOf<typeof declareTeeth>;

/** `hil rig`, the parent of the rig maintenance commands. */
export const declareRig = (hil: Command) => hil.command('rig').description('rig maintenance');

export const declareRigCheck = (rig: Command) =>
  rig
    .command('check')
    .description('check each part of a rig (console, probe, power, outputs) is there; exit 3 naming a failed part')
    .argument('<rig>', 'rig name or path')
    .option('--timeout <seconds>', 'per-part limit', '60');
export type RigCheckOptions = OptionsOf<typeof declareRigCheck>;

export const declareRigHealth = (rig: Command) =>
  rig
    .command('health')
    .description("rig check, then the rig's health scenario (`health:` in the rig file); both passing ends a quarantine")
    .argument('<rig>', 'rig name or path')
    .option('--timeout <seconds>', 'per-part limit of the check', '60')
    .option('--wait <seconds>', 'queue this long for the rig if another run holds it')
    .option('--report-dir <dir>', 'where reports go', 'reports');
export type RigHealthOptions = OptionsOf<typeof declareRigHealth>;

export const declareDoctor = (hil: Command) =>
  hil
    .command('doctor')
    .description(
      "check the programs and device permissions the project's rigs need, with versions and a fix for each problem (exit 0 ready, 1 something missing)",
    )
    .option('--rig <name|path>', 'check only this rig (a rig runner checks its own); repeatable', collect, [])
    .option('--install', 'apt-get install the missing Debian packages (through sudo when not root)')
    .option('--all', "check every driver's programs and the firmware build's, not only those of the project's rigs");
export type DoctorOptions = OptionsOf<typeof declareDoctor>;

export const declareInit = (hil: Command) =>
  hil
    .command('init')
    .description(
      'start hil in a firmware repository: a rig for your probe and power switch, a starter scenario, .gitignore entries and a nightly CI for GitHub Actions and GitLab; never overwrites a file',
    )
    .option('--probe <kind>', 'openocd, pyocd, gdb or stm32cubeprog', 'openocd')
    .option('--power <kind>', 'usbrelay, numato, lcus, gpiod, uhubctl, pdudaemon or command', 'usbrelay')
    .option('--name <rig>', "the rig's name (rigs/NAME.yaml)", 'board');
export type InitOptions = OptionsOf<typeof declareInit>;
