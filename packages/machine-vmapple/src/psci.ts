import { hex, type Log } from '@vmapple/core-bus';
import type { Cpu } from '@vmapple/cpu-aarch64';

/**
 * PSCI 1.1 and SMCCC 1.1 over HVC (the vmapple conduit): function IDs and
 * return codes from Arm DEN 0022 (PSCI) and DEN 0028 (SMCCC).
 */
export const PSCI = {
  VERSION: 0x8400_0000,
  CPU_SUSPEND_32: 0x8400_0001,
  CPU_SUSPEND_64: 0xc400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON_32: 0x8400_0003,
  CPU_ON_64: 0xc400_0003,
  AFFINITY_INFO_32: 0x8400_0004,
  AFFINITY_INFO_64: 0xc400_0004,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
} as const;

export const SMCCC = {
  VERSION: 0x8000_0000,
  ARCH_FEATURES: 0x8000_0001,
  ARCH_WORKAROUND_1: 0x8000_8000,
  ARCH_WORKAROUND_2: 0x8000_7fff,
  ARCH_WORKAROUND_3: 0x8000_3fff,
} as const;

export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
} as const;

/** PSCI 1.1 */
const PSCI_VERSION_1_1 = 0x0001_0001;
/** SMCCC 1.1 */
const SMCCC_VERSION_1_1 = 0x0001_0001;
/** MIGRATE_INFO_TYPE: no Trusted OS, migration not required. */
const MIGRATE_NOT_REQUIRED = 2;
/** ARCH_FEATURES answer for the Spectre workarounds: this CPU is unaffected. */
const WORKAROUND_UNAFFECTED = 1;
const WORKAROUND_NOT_REQUIRED = -2;

const SUPPORTED = new Set<number>([
  PSCI.VERSION,
  PSCI.CPU_OFF,
  PSCI.CPU_ON_32,
  PSCI.CPU_ON_64,
  PSCI.AFFINITY_INFO_32,
  PSCI.AFFINITY_INFO_64,
  PSCI.MIGRATE_INFO_TYPE,
  PSCI.SYSTEM_OFF,
  PSCI.SYSTEM_RESET,
  PSCI.FEATURES,
  SMCCC.VERSION,
]);

/** What PSCI needs from the board. */
export interface PsciBoard {
  cpus: readonly Cpu[];
  mpidrs: readonly bigint[];
  systemOff(): void;
  systemReset(): void;
  log: Log;
}

/**
 * Returns the HVC handler implementing PSCI/SMCCC. Unknown function IDs
 * return NOT_SUPPORTED in x0, as the SMCCC requires (never UNDEFINED).
 */
export function createPsciHandler(board: PsciBoard): (cpu: Cpu, imm16: number) => boolean {
  return (cpu, imm16) => {
    if (imm16 !== 0) {
      board.log.guestError('psci', `HVC #${imm16} is not a PSCI call`);
      return false;
    }
    const fid = Number(cpu.getX(0) & 0xffff_ffffn);
    const is32 = (fid & 0x4000_0000) === 0;
    const arg = (n: number) => {
      const v = cpu.getX(n);
      return is32 ? v & 0xffff_ffffn : v;
    };
    const ret = (value: number) => cpu.setX(0, BigInt.asUintN(64, BigInt(value)));
    switch (fid) {
      case PSCI.VERSION:
        return ret(PSCI_VERSION_1_1), true;
      case SMCCC.VERSION:
        return ret(SMCCC_VERSION_1_1), true;
      case PSCI.FEATURES: {
        const q = Number(arg(1) & 0xffff_ffffn);
        return ret(SUPPORTED.has(q) || q === SMCCC.ARCH_FEATURES ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED), true;
      }
      case SMCCC.ARCH_FEATURES: {
        const q = Number(arg(1) & 0xffff_ffffn);
        if (q === SMCCC.ARCH_WORKAROUND_1 || q === SMCCC.ARCH_WORKAROUND_3) return ret(WORKAROUND_UNAFFECTED), true;
        if (q === SMCCC.ARCH_WORKAROUND_2) return ret(WORKAROUND_NOT_REQUIRED), true;
        return ret(SUPPORTED.has(q) ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED), true;
      }
      case PSCI.MIGRATE_INFO_TYPE:
        return ret(MIGRATE_NOT_REQUIRED), true;
      case PSCI.CPU_ON_32:
      case PSCI.CPU_ON_64: {
        const target = findCpu(board, arg(1));
        if (!target) return ret(PSCI_RET.INVALID_PARAMETERS), true;
        if (target.poweredOn) return ret(PSCI_RET.ALREADY_ON), true;
        target.reset({ pc: arg(2), x: [arg(3)] });
        return ret(PSCI_RET.SUCCESS), true;
      }
      case PSCI.AFFINITY_INFO_32:
      case PSCI.AFFINITY_INFO_64: {
        if (arg(2) !== 0n) return ret(PSCI_RET.INVALID_PARAMETERS), true;
        const target = findCpu(board, arg(1));
        if (!target) return ret(PSCI_RET.INVALID_PARAMETERS), true;
        return ret(target.poweredOn ? 0 : 1), true;
      }
      case PSCI.CPU_OFF:
        cpu.powerOff();
        return true;
      case PSCI.SYSTEM_OFF:
        board.systemOff();
        return true;
      case PSCI.SYSTEM_RESET:
        board.systemReset();
        return true;
      default:
        board.log.unimplemented('psci', `function ${hex(fid, 8)}`);
        return ret(PSCI_RET.NOT_SUPPORTED), true;
    }
  };
}

function findCpu(board: PsciBoard, mpidr: bigint): Cpu | undefined {
  const aff = mpidr & 0xff_00ff_ffffn;
  const i = board.mpidrs.findIndex((m) => m === aff);
  return i >= 0 ? board.cpus[i] : undefined;
}
