import { AddressSpace, Log, type LogEntry, MmioRegion, RamRegion, type SystemRegisterHandler, VirtualClock } from '@vmapple/core-bus';
import type { CallHandler } from '../../src/cpu.js';
import { HvfCpu } from '../../src/hvf/hvf-cpu.js';
import { HvfVm } from '../../src/hvf/hvf-vm.js';
import { HvExitReason, HvReg } from '../../src/hvf/native-api.js';
import { FakeHvfNative } from './fake-native.js';

/** ESR of a data abort from a lower EL, composed from the Arm ARM ISS field positions. */
export function dataAbortEsr(f: { isv?: boolean; size: 1 | 2 | 4 | 8; sse?: boolean; srt: number; sf?: boolean; ar?: boolean; cm?: boolean; write?: boolean }): number {
  const sas = { 1: 0, 2: 1, 4: 2, 8: 3 }[f.size];
  return (
    ((0x24 << 26) |
      (1 << 25) |
      ((f.isv ?? true ? 1 : 0) << 24) |
      (sas << 22) |
      ((f.sse ? 1 : 0) << 21) |
      (f.srt << 16) |
      ((f.sf ? 1 : 0) << 15) |
      ((f.ar ? 1 : 0) << 14) |
      ((f.cm ? 1 : 0) << 8) |
      ((f.write ? 1 : 0) << 6) |
      0x07) >>>
    0
  );
}

/** ESR of a trapped MRS/MSR, per spec §9.2. */
export function sysregEsr(op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: boolean): number {
  return ((0x18 << 26) | (1 << 25) | (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0)) >>> 0;
}

export const HVC_ESR = (imm: number): number => ((0x16 << 26) | (1 << 25) | imm) >>> 0;
export const SMC_ESR = (imm: number): number => ((0x17 << 26) | (1 << 25) | imm) >>> 0;
export const WFI_ESR = ((0x01 << 26) | (1 << 25)) >>> 0;
export const WFE_ESR = ((0x01 << 26) | (1 << 25) | 1) >>> 0;

export const MMIO_BASE = 0x0900_0000;
export const RAM_BASE = 0x7000_0000;

export interface Rig {
  native: FakeHvfNative;
  clock: VirtualClock;
  memory: AddressSpace;
  vm: HvfVm;
  cpu: HvfCpu;
  log: Log;
  entries: LogEntry[];
  /** Accesses the test MMIO device saw. */
  mmio: Array<{ op: 'r' | 'w'; offset: number; size: number; value: bigint }>;
  /** What the test device returns for reads. */
  readValue: { v: bigint };
  /** Runs one scripted exception exit through the CPU's handler. */
  exit(syndrome: number, ipa?: number, va?: bigint): void;
  reg(n: number): bigint;
}

export function makeRig(options: { sysregs?: SystemRegisterHandler; hvc?: CallHandler; smc?: CallHandler; pc?: bigint } = {}): Rig {
  const native = new FakeHvfNative();
  const clock = new VirtualClock({ mode: 'realtime', hostNowMs: () => native.hostNs / 1e6 });
  const entries: LogEntry[] = [];
  const log = new Log((e) => entries.push(e));
  const memory = new AddressSpace();
  const mmio: Rig['mmio'] = [];
  const readValue = { v: 0n };
  memory.mapMmio(
    MMIO_BASE,
    new MmioRegion({
      name: 'probe',
      size: 0x1000,
      impl: { min: 1, max: 8 },
      handler: {
        read: (offset, size) => {
          mmio.push({ op: 'r', offset, size, value: 0n });
          return Number(readValue.v & BigInt(size === 4 ? 0xffff_ffff : (1 << (size * 8)) - 1));
        },
        write: (offset, size, value) => void mmio.push({ op: 'w', offset, size, value: BigInt(value) }),
        read64: (offset) => {
          mmio.push({ op: 'r', offset, size: 8, value: 0n });
          return readValue.v;
        },
        write64: (offset, value) => void mmio.push({ op: 'w', offset, size: 8, value }),
      },
    }),
  );
  const vm = new HvfVm({ native, memory });
  memory.mapRam(RAM_BASE, vm.allocateRam('ram', 0x10_0000));
  memory.mapRam(0x1000_0000, new RamRegion('js-ram', 0x4000));
  const cpu = new HvfCpu({ memory, clock, vm, log, sysregs: options.sysregs, hvc: options.hvc, smc: options.smc, index: 2 });
  cpu.reset({ pc: options.pc ?? 0x7000_1000n });
  const rig: Rig = {
    native,
    clock,
    memory,
    vm,
    cpu,
    log,
    entries,
    mmio,
    readValue,
    exit(syndrome, ipa = 0, va = 0n) {
      native.script.push({ reason: HvExitReason.EXCEPTION, syndrome, ipa: BigInt(ipa), va, ns: 0 });
      native.vcpuRun(cpu.vcpu, 1e6);
      cpu.handleExit();
    },
    reg: (n) => native.getReg(cpu.vcpu, n),
  };
  return rig;
}

export { HvReg };
