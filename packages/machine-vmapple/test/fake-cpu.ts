import { IrqLine } from '@vmapple/core-bus';
import type { Cpu, CpuBootState, RunExit } from '@vmapple/cpu-aarch64';

/** A register-file-only CPU for testing board logic (PSCI, loaders) without an interpreter. */
export class FakeCpu implements Cpu {
  readonly irq = { setLevel: () => {} };
  readonly fiq = { setLevel: () => {} };
  readonly virtualTimer = new IrqLine();
  readonly physicalTimer = new IrqLine();
  retired = 0;
  poweredOn = false;
  pc = 0n;
  readonly x = new Array<bigint>(31).fill(0n);
  constructor(readonly index: number) {}
  run(_budget: number): RunExit {
    return this.poweredOn ? 'budget' : 'off';
  }
  requestExit(): void {}
  reset(boot: CpuBootState): void {
    this.x.fill(0n);
    boot.x?.forEach((v, i) => (this.x[i] = v));
    this.pc = boot.pc;
    this.poweredOn = boot.powerOn ?? true;
  }
  powerOff(): void {
    this.poweredOn = false;
  }
  getX(n: number): bigint {
    return n === 31 ? 0n : this.x[n]!;
  }
  setX(n: number, value: bigint): void {
    if (n < 31) this.x[n] = BigInt.asUintN(64, value);
  }
  getPc(): bigint {
    return this.pc;
  }
  setPc(value: bigint): void {
    this.pc = value;
  }
  getSysreg(): bigint {
    return 0n;
  }
  setSysreg(): void {}
  getPstate(): number {
    return 0x3c5;
  }
}
