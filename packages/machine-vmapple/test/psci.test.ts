import { Log } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { mpidrOf } from '../src/memory-map.js';
import { createPsciHandler, PSCI, PSCI_RET, SMCCC } from '../src/psci.js';
import { FakeCpu } from './fake-cpu.js';

function board(n = 3) {
  const cpus = Array.from({ length: n }, (_, i) => new FakeCpu(i));
  cpus[0]!.reset({ pc: 0x100000n });
  const events: string[] = [];
  const hvc = createPsciHandler({
    cpus,
    mpidrs: cpus.map((_, i) => mpidrOf(i)),
    systemOff: () => events.push('off'),
    systemReset: () => events.push('reset'),
    log: new Log(),
  });
  const call = (cpu: FakeCpu, fid: number, ...args: bigint[]) => {
    cpu.setX(0, BigInt(fid));
    args.forEach((a, i) => cpu.setX(i + 1, a));
    expect(hvc(cpu, 0)).toBe(true);
    return BigInt.asIntN(64, cpu.getX(0));
  };
  return { cpus, events, call, hvc };
}

// Values from Arm DEN 0022 (PSCI) and DEN 0028 (SMCCC).
describe('PSCI over HVC', () => {
  it('reports PSCI 1.1 and SMCCC 1.1', () => {
    const { cpus, call } = board();
    expect(call(cpus[0]!, 0x8400_0000)).toBe(0x10001n);
    expect(call(cpus[0]!, 0x8000_0000)).toBe(0x10001n);
    expect(call(cpus[0]!, 0x8400_0006)).toBe(2n); // MIGRATE_INFO_TYPE: not required
  });

  it('starts a CPU with CPU_ON at its entry point with the context id in x0', () => {
    const { cpus, call } = board();
    expect(call(cpus[0]!, 0xc400_0003, 0x2n, 0x7008_0000n, 0xabcdn)).toBe(0n);
    expect(cpus[2]!.poweredOn).toBe(true);
    expect(cpus[2]!.getPc()).toBe(0x7008_0000n);
    expect(cpus[2]!.getX(0)).toBe(0xabcdn);
    expect(call(cpus[0]!, 0xc400_0003, 0x2n, 0n, 0n)).toBe(BigInt(PSCI_RET.ALREADY_ON));
    expect(call(cpus[0]!, 0xc400_0003, 0x7n, 0n, 0n)).toBe(BigInt(PSCI_RET.INVALID_PARAMETERS));
  });

  it('answers AFFINITY_INFO and powers a CPU off with CPU_OFF', () => {
    const { cpus, call, hvc } = board();
    expect(call(cpus[0]!, 0xc400_0004, 0x1n, 0n)).toBe(1n); // OFF
    call(cpus[0]!, 0xc400_0003, 0x1n, 0x1000n, 0n);
    expect(call(cpus[0]!, 0xc400_0004, 0x1n, 0n)).toBe(0n); // ON
    cpus[1]!.setX(0, BigInt(PSCI.CPU_OFF));
    hvc(cpus[1]!, 0);
    expect(cpus[1]!.poweredOn).toBe(false);
  });

  it('uses Aff1 for CPUs 16 and up', () => {
    const { cpus, call } = board(18);
    expect(call(cpus[0]!, 0xc400_0003, 0x101n, 0x1000n, 0n)).toBe(0n);
    expect(cpus[17]!.poweredOn).toBe(true);
  });

  it('passes SYSTEM_OFF and SYSTEM_RESET to the board', () => {
    const { cpus, events, hvc } = board();
    cpus[0]!.setX(0, BigInt(PSCI.SYSTEM_OFF));
    hvc(cpus[0]!, 0);
    cpus[0]!.setX(0, BigInt(PSCI.SYSTEM_RESET));
    hvc(cpus[0]!, 0);
    expect(events).toEqual(['off', 'reset']);
  });

  it('answers FEATURES, the Spectre workaround queries, and NOT_SUPPORTED for the rest', () => {
    const { cpus, call } = board();
    expect(call(cpus[0]!, PSCI.FEATURES, BigInt(PSCI.CPU_ON_64))).toBe(0n);
    expect(call(cpus[0]!, PSCI.FEATURES, BigInt(PSCI.CPU_SUSPEND_64))).toBe(-1n);
    expect(call(cpus[0]!, SMCCC.ARCH_FEATURES, BigInt(SMCCC.ARCH_WORKAROUND_1))).toBe(1n);
    expect(call(cpus[0]!, SMCCC.ARCH_FEATURES, BigInt(SMCCC.ARCH_WORKAROUND_2))).toBe(-2n);
    expect(call(cpus[0]!, 0xc400_0012)).toBe(-1n);
  });

  it('refuses HVC with a non-zero immediate (UNDEFINED)', () => {
    const { cpus, hvc } = board();
    expect(hvc(cpus[0]!, 1)).toBe(false);
  });
});
