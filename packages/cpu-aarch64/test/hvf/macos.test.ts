import { AddressSpace, Log, MmioRegion, VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { HvfCpu } from '../../src/hvf/hvf-cpu.js';
import { HvfVm } from '../../src/hvf/hvf-vm.js';
import { loadHvfNative } from '../../src/hvf/node-loader.js';

/**
 * Runs real guest code under Hypervisor.framework. Skipped unless this is
 * macOS on Apple silicon with the shim built (see HVF.md); on such a host:
 *   npx vitest run --project cpu-aarch64 test/hvf/macos.test.ts
 */
const loaded = loadHvfNative();

describe.skipIf(!loaded.ok)('HVF on this Mac', () => {
  it('runs code from shared RAM: MMIO store and sign-extended load, the CNTP_CTL_EL0 write, HVC', () => {
    if (!loaded.ok) return;
    const memory = new AddressSpace();
    const seen: string[] = [];
    memory.mapMmio(
      0x0900_0000,
      new MmioRegion({
        name: 'probe',
        size: 0x1000,
        handler: {
          read: (o, s) => (seen.push(`r ${o} ${s}`), 0x8001),
          write: (o, s, v) => void seen.push(`w ${o} ${s} ${v}`),
        },
      }),
    );
    const vm = new HvfVm({ native: loaded.native, memory });
    try {
      const ram = vm.allocateRam('ram', 0x10_0000);
      // Assembled with GNU as (see HVF.md): mov x0,#42; mov x1,#0x9000000; str w0,[x1];
      // ldrsh x2,[x1,#8]; msr cntp_ctl_el0,xzr; hvc #5; b .
      const code = [0xd2800540, 0xd2a12001, 0xb9000020, 0x79801022, 0xd51be23f, 0xd40000a2, 0x14000000];
      code.forEach((w, i) => ram.view.setUint32(i * 4, w, true));
      memory.mapRam(0x4000_0000, ram);
      const calls: number[] = [];
      const clock = new VirtualClock({ mode: 'realtime' });
      const cpu = new HvfCpu({
        memory,
        clock,
        vm,
        log: new Log(),
        hvc: (c, imm) => {
          calls.push(imm);
          c.powerOff();
          return true;
        },
      });
      cpu.reset({ pc: 0x4000_0000n });
      let why = cpu.run(200_000);
      for (let i = 0; i < 100 && why !== 'off'; i++) why = cpu.run(200_000);
      expect(why).toBe('off');
      expect(seen).toEqual(['w 0 4 42', 'r 8 2']);
      expect(cpu.getX(2)).toBe(0xffff_ffff_ffff_8001n);
      expect(calls).toEqual([5]);
      expect(cpu.getPc()).toBe(0x4000_0018n);
      cpu.destroy();
    } finally {
      vm.destroy();
    }
  });
});
