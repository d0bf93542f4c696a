import { describe, expect, it } from 'vitest';
import { HvExitReason } from '../../src/hvf/native-api.js';
import { dataAbortEsr, HVC_ESR, makeRig, MMIO_BASE, WFI_ESR } from './setup.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('HvfCpu.runAsync (exits through the thread-safe function)', () => {
  it('handles each exit and resumes the vCPU until it powers off', async () => {
    const r = makeRig({
      hvc: (cpu) => {
        cpu.powerOff();
        return true;
      },
    });
    r.readValue.v = 0x42n;
    r.native.vcpus[0]!.sysregs.set(0xdf19, 0b101n); // CNTV_CTL_EL0: enabled and firing, so the line stays high
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: dataAbortEsr({ size: 4, srt: 3 }), ipa: BigInt(MMIO_BASE) });
    r.native.script.push({ reason: HvExitReason.VTIMER_ACTIVATED });
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: HVC_ESR(0) });
    expect(await r.cpu.runAsync()).toBe('off');
    expect(r.reg(3)).toBe(0x42n);
    expect(r.cpu.virtualTimer.level).toBe(true);
    expect(r.native.vcpus[0]!.runs).toHaveLength(3);
    expect(() => r.cpu.run(1)).not.toThrow();
  });

  it('an interrupt kicks the vCPU out of the guest and is pending on the next entry', async () => {
    const r = makeRig();
    const done = r.cpu.runAsync();
    await tick();
    const v = r.native.vcpus[0]!;
    expect(v.parked).toBe(true);
    r.cpu.irq.setLevel(true);
    expect(v.kicks).toBe(1);
    await tick();
    await tick();
    expect(v.runs.at(-1)!.irq).toBe(true);
    r.cpu.requestExit();
    expect(await done).toBe('exit');
    expect(r.cpu.run.bind(r.cpu, 1)).not.toThrow();
  });

  it('WFI parks the vCPU in JavaScript until an interrupt arrives', async () => {
    const r = makeRig();
    r.native.script.push({ reason: HvExitReason.EXCEPTION, syndrome: WFI_ESR });
    const done = r.cpu.runAsync();
    await tick();
    await tick();
    const v = r.native.vcpus[0]!;
    expect(r.cpu.waiting).toBe(true);
    expect(v.runs).toHaveLength(1); // not re-entered while waiting
    r.cpu.fiq.setLevel(true);
    expect(r.cpu.waiting).toBe(false);
    expect(v.runs).toHaveLength(2);
    expect(v.runs[1]!.fiq).toBe(true);
    r.cpu.powerOff();
    expect(await done).toBe('off');
  });

  it('refuses a second runAsync and a synchronous run meanwhile', async () => {
    const r = makeRig();
    const done = r.cpu.runAsync();
    await expect(r.cpu.runAsync()).rejects.toThrow(/already/);
    expect(() => r.cpu.run(1)).toThrow(/runAsync/);
    r.cpu.requestExit();
    expect(await done).toBe('exit');
  });
});
