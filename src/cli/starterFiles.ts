/**
 * What `hil init` writes into a firmware repository: a rig for the chosen probe and power switch, a starter
 * scenario, and the nightly CI for GitHub Actions and GitLab. Every rig and scenario here passes `hil validate`
 * as written; the values to change are marked in comments.
 */

/** The probe block of the starter rig, per `--probe`. */
export const PROBE_BLOCKS = {
  openocd: '{ kind: openocd, args: [-f, interface/stlink.cfg, -f, target/stm32f4x.cfg] }   # your adapter and target .cfg',
  pyocd: '{ kind: pyocd, target: stm32f429xi }                # `pyocd list --targets`; uid: picks one of several probes',
  gdb: "{ kind: gdb, remote: 'localhost:2331', server: jlink }   # a GDB server: jlink, openocd, pyocd or bmp (remote: /dev/ttyACM0)",
  stm32cubeprog: '{ kind: stm32cubeprog, port: swd }                 # swd, usb1 (ROM DFU) or a UART; connect: [sn=...]',
} as const;

/** The power block of the starter rig, per `--power`. */
export const POWER_BLOCKS = {
  usbrelay: '{ kind: usbrelay, relay: HURTM_1 }                   # SERIAL_N as `usbrelay` lists it',
  numato: '{ kind: numato, path: /dev/serial/by-id/usb-Numato_Systems_Pvt._Ltd._Numato_Lab_8_Channel_USB_Relay_Module-if00, channel: 0 }',
  lcus: '{ kind: lcus, path: /dev/serial/by-id/usb-1a86_USB_Serial-if00-port0, channel: 1 }   # LCUS-type CH340 relay board',
  gpiod: '{ kind: gpiod, chip: gpiochip0, line: 17 }              # a relay on a GPIO line of this host',
  uhubctl: '{ kind: uhubctl, hub: 1-1, port: 2 }                  # a hub port with power switching (`uhubctl` lists them)',
  pdudaemon: '{ kind: pdudaemon, pdu: lab-pdu, outlet: 1 }        # an outlet of a PDU pdudaemon drives',
  command: "{ kind: command, on: 'psu-ctl on', off: 'psu-ctl off' }   # your own shell commands (run in rigs/)",
} as const;

export type ProbeKind = keyof typeof PROBE_BLOCKS;
export type PowerKind = keyof typeof POWER_BLOCKS;

export const STARTER_SCENARIO = 'boot';

export function rigFile(name: string, probe: ProbeKind, power: PowerKind): string {
  return `# ${name}: the board wired to this rig runner, flashed with ${probe}, powered through ${power}.
# Edit the console path, the probe and the power switch to your bench, then: npx hil doctor (what this machine
# still needs), npx hil rig check ${name} (is each part there), npx hil console ${name} --power (what it prints).
# Every key: node_modules/hil's README and docs/rigs.md in hil's repository.
name: ${name}
description: ${name} (${probe} probe, ${power} power)
labels: [${name}, hardware]

console: { kind: serial, path: /dev/serial/by-id/usb-CHANGE-ME-if00, baud: 115200 }   # ls /dev/serial/by-id/
probe: ${PROBE_BLOCKS[probe]}
power: ${POWER_BLOCKS[power]}

# The flash map (hil validate checks the regions) and the images the scenarios flash, relative to this file:
# layout:
#   flash: { base: 0x08000000, sectors: [[4, 16K], [1, 64K], [7, 128K]] }
#   regions:
#     bootloader: [0x0, 64K]
#     primary: { offset: 0x20000, size: 384K, role: slot }
#     secondary: { offset: 0x80000, size: 384K, role: slot }
# images:
#   bootloader: { path: ../build/bootloader.bin, region: bootloader }
#   app: { path: ../build/app.signed.bin, region: primary }
`;
}

export function scenarioFile(rig: string): string {
  return `# A first scenario: the board boots into the application from power-on, and again after a power cut in its
# bootloader. Change the patterns to what your firmware prints (npx hil console ${rig} --power shows it), then:
# npx hil run ${STARTER_SCENARIO}. The expectation model: hil's docs/expectations.md.
name: ${STARTER_SCENARIO}
description: the board boots into the application from power-on, and again after a power cut during its bootloader
rigs: { name: ${rig} }
params:
  cut_after: [10ms, 100ms]          # how long after the bootloader's first line the power goes
steps:
  - power: cycle
  - wait: running
  - cut: { when: bootloader, after: '\${cut_after}' }
  - power: on
  - wait: running
expect:
  patterns:                         # console line -> event; the first match wins
    BANNER: 'MCUboot|[Bb]ootloader'   # the bootloader's first line
    HANDOVER: 'Starting application|Jumping to'
    RUNNING: '[Aa]pplication (running|started)'
  forbidden: ['(?i)hard ?fault', 'Assertion failed']
  model:
    initial: off
    on: { POWER_OFF: off }
    states:
      off: { on: { POWER_ON: booting } }
      booting: { on: { BANNER: bootloader }, after: { 5s: '#fail.no-banner' } }
      bootloader: { cuttable: true, on: { HANDOVER: starting }, after: { 30s: '#fail.stuck-in-bootloader' } }
      starting: { on: { RUNNING: running }, after: { 10s: '#fail.application-not-running' } }
      running: {}
`;
}

const NIGHTLY_RUN = (rigVar: string) => `npx hil run ${STARTER_SCENARIO} --rig ${rigVar} --wait 1800 --retries 1 --quarantine-after 3`;

export function githubWorkflow(rig: string): string {
  return `# Nightly hardware-in-the-loop run on self-hosted rig runners, written by \`hil init\`.
# A rig runner is a self-hosted runner on the machine the board is wired to, registered with the labels hil and
# the rig's name (./config.sh --labels hil,${rig}). hil is a devDependency of this repository (npm i -D hil).
# Exit codes of hil run: 0 passed, 1 a case failed (the firmware), 2 a config error, 3 a rig error (the station).
name: hil nightly

on:
  schedule:
    - cron: '0 1 * * *'
  workflow_dispatch:

permissions:
  contents: read

jobs:
  hil:
    strategy:
      fail-fast: false          # one failing rig must not cancel the others' evidence
      matrix:
        rig: [${rig}]
    runs-on: [self-hosted, hil, '\${{ matrix.rig }}']
    timeout-minutes: 120
    env:
      # Leases, quarantine and the rigs' state outside the workspace, which checkout wipes.
      HIL_STATE_DIR: /var/lib/hil
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20, cache: npm }
      - run: npm ci
      # Build the firmware the rig file's images point at here (make, west build, cmake --build ...).
      - run: npx hil doctor --rig \${{ matrix.rig }}
      - run: ${NIGHTLY_RUN('${{ matrix.rig }}')}
      - name: Upload reports
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: hil-\${{ matrix.rig }}
          path: reports/
          if-no-files-found: warn

  report:
    needs: hil
    if: always()
    runs-on: ubuntu-latest
    permissions:
      contents: read
      checks: write             # the JUnit results as a check
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20, cache: npm }
      - run: npm ci
      - uses: actions/download-artifact@v4
        with: { path: artifacts/ }
      - name: Merge every rig runner's reports
        run: npx hil report merge artifacts/ --out reports/merged
      - name: Publish JUnit
        if: always()
        uses: mikepenz/action-junit-report@v4
        with:
          report_paths: reports/merged/junit.xml
          include_passed: true
      - name: Upload the merged report (open index.html)
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: hil-nightly-report
          path: reports/merged/
`;
}

export const GITLAB_INCLUDE = '.gitlab/hil-nightly.yml';

export function gitlabJobs(rig: string): string {
  return `# Nightly hardware-in-the-loop run on tagged rig runners (GitLab CI), written by \`hil init\`.
# Included from .gitlab-ci.yml; runs from a pipeline schedule (Build > Pipeline schedules) or by hand. A rig
# runner is a runner on the machine the board is wired to, registered with the tags hil and the rig's name
# (--tag-list hil,${rig}). hil is a devDependency of this repository (npm i -D hil).
# Exit codes of hil run: 0 passed, 1 a case failed (the firmware), 2 a config error, 3 a rig error (the station).

.hil-nightly:
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
    - if: $CI_PIPELINE_SOURCE == "web"

hil:
  extends: .hil-nightly
  stage: test
  parallel:
    matrix:
      - RIG: [${rig}]
  tags: [hil, $RIG]
  timeout: 2h
  variables:
    # Leases, quarantine and the rigs' state outside the build folder, which is cleaned.
    HIL_STATE_DIR: /var/lib/hil
  script:
    - npm ci
    # Build the firmware the rig file's images point at here (make, west build, cmake --build ...).
    - npx hil doctor --rig $RIG
    - ${NIGHTLY_RUN('$RIG')}
  artifacts:
    when: always
    paths: [reports/]
    reports:
      junit: reports/junit.xml

hil-report:
  stage: .post
  image: node:20
  rules:
    - if: $CI_PIPELINE_SOURCE == "schedule"
      when: always
    - if: $CI_PIPELINE_SOURCE == "web"
      when: always
  needs: [hil]
  script:
    - npm ci
    - npx hil report merge reports/ --out merged/
  artifacts:
    when: always
    expose_as: hil nightly report
    paths: [merged/]
    reports:
      junit: merged/junit.xml
`;
}

export const GITLAB_CI = `# Written by \`hil init\`: the nightly hardware-in-the-loop jobs live in ${GITLAB_INCLUDE}.
include:
  - local: ${GITLAB_INCLUDE}
`;

/** Lines a firmware repository's .gitignore needs for hil: its reports, its state and npm's packages. */
export const GITIGNORE_LINES = ['reports/', '.hil/', 'node_modules/'];
