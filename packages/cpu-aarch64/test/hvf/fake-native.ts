import { ExitWord, type HvfNative, type NativeGicConfig } from '../../src/hvf/native-api.js';

/** One scripted exit: what the fake "hardware" reports next. */
export interface ScriptedExit {
  reason: number;
  syndrome?: number;
  va?: bigint;
  ipa?: bigint;
  /** Host time the run takes (advances the fake host clock), ns. */
  ns?: number;
}

interface FakeVcpu {
  regs: bigint[];
  sysregs: Map<number, bigint>;
  record: BigUint64Array;
  pending: [boolean, boolean];
  /** Pending levels as they were at each run. */
  runs: Array<{ irq: boolean; fiq: boolean; timeoutNs: number }>;
  vtimerMasked: boolean;
  vtimerOffset: bigint;
  onExit: ((id: number) => void) | null;
  /** An asynchronous run is in the guest with nothing scripted: it waits for a kick. */
  parked: boolean;
  kicks: number;
}

/**
 * A TypeScript stand-in for the native shim: registers in arrays, exits from
 * a script, a host clock the test controls. It records the calls a test
 * wants to assert on.
 */
export class FakeHvfNative implements HvfNative {
  vm: { ipaBits: number; gic: NativeGicConfig | null } | null = null;
  readonly maps = new Map<number, { size: number; flags: number; buffer: ArrayBuffer }>();
  readonly vcpus: FakeVcpu[] = [];
  readonly script: ScriptedExit[] = [];
  readonly spis: Array<[number, boolean]> = [];
  /** Host ticks (24 MHz) and the matching ns clock the test's VirtualClock reads. */
  hostNs = 0;
  readonly frequency = 24_000_000;

  vmCreate(ipaBits: number, gic: NativeGicConfig | null): void {
    if (this.vm) throw new Error('fake hvf: one VM per process');
    this.vm = { ipaBits, gic };
  }
  vmDestroy(): void {
    this.vm = null;
  }
  ramAlloc(size: number): ArrayBuffer {
    return new ArrayBuffer(size);
  }
  vmMap(buffer: ArrayBuffer, _offset: number, guestAddr: number, size: number, flags: number): void {
    this.maps.set(guestAddr, { size, flags, buffer });
  }
  vmUnmap(guestAddr: number): void {
    this.maps.delete(guestAddr);
  }
  vcpuCreate(exitRecord: BigUint64Array, onExit: ((id: number) => void) | null): number {
    this.vcpus.push({
      onExit,
      parked: false,
      kicks: 0,
      regs: new Array<bigint>(35).fill(0n),
      sysregs: new Map(),
      record: exitRecord,
      pending: [false, false],
      runs: [],
      vtimerMasked: false,
      vtimerOffset: 0n,
    });
    return this.vcpus.length - 1;
  }
  vcpuDestroy(): void {}
  vcpuRun(id: number, timeoutNs: number): number {
    const v = this.vcpus[id]!;
    v.runs.push({ irq: v.pending[0], fiq: v.pending[1], timeoutNs });
    const e = this.script.shift() ?? { reason: 0, ns: timeoutNs };
    this.hostNs += e.ns ?? 1000;
    v.record[ExitWord.REASON] = BigInt(e.reason);
    v.record[ExitWord.SYNDROME] = BigInt(e.syndrome ?? 0);
    v.record[ExitWord.VIRTUAL_ADDRESS] = e.va ?? 0n;
    v.record[ExitWord.PHYSICAL_ADDRESS] = e.ipa ?? 0n;
    return e.reason;
  }
  /** Asynchronous run: the next scripted exit arrives on a later macrotask (like a thread-safe call). */
  vcpuResume(id: number): void {
    const v = this.vcpus[id]!;
    v.runs.push({ irq: v.pending[0], fiq: v.pending[1], timeoutNs: Infinity });
    if (this.script.length === 0) {
      v.parked = true; // runs in the guest until kicked
      return;
    }
    setImmediate(() => this.deliver(id, this.script.shift()!));
  }
  vcpusExit(ids: number[]): void {
    for (const id of ids) {
      const v = this.vcpus[id]!;
      v.kicks++;
      if (v.parked) {
        v.parked = false;
        setImmediate(() => this.deliver(id, { reason: 0 }));
      }
    }
  }
  private deliver(id: number, e: ScriptedExit): void {
    const v = this.vcpus[id]!;
    this.hostNs += e.ns ?? 1000;
    v.record[ExitWord.REASON] = BigInt(e.reason);
    v.record[ExitWord.SYNDROME] = BigInt(e.syndrome ?? 0);
    v.record[ExitWord.VIRTUAL_ADDRESS] = e.va ?? 0n;
    v.record[ExitWord.PHYSICAL_ADDRESS] = e.ipa ?? 0n;
    v.onExit?.(id);
  }
  getReg(id: number, reg: number): bigint {
    return this.vcpus[id]!.regs[reg]!;
  }
  setReg(id: number, reg: number, value: bigint): void {
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`fake hvf: register value ${value} out of range`);
    this.vcpus[id]!.regs[reg] = value;
  }
  getSysReg(id: number, encoding: number): bigint {
    return this.vcpus[id]!.sysregs.get(encoding) ?? 0n;
  }
  setSysReg(id: number, encoding: number, value: bigint): void {
    if (value < 0n || value >= 1n << 64n) throw new RangeError(`fake hvf: sysreg value ${value} out of range`);
    this.vcpus[id]!.sysregs.set(encoding, value);
  }
  setPendingInterrupt(id: number, type: number, pending: boolean): void {
    this.vcpus[id]!.pending[type] = pending;
  }
  setVtimerMask(id: number, masked: boolean): void {
    this.vcpus[id]!.vtimerMasked = masked;
  }
  getVtimerOffset(id: number): bigint {
    return this.vcpus[id]!.vtimerOffset;
  }
  setVtimerOffset(id: number, offset: bigint): void {
    this.vcpus[id]!.vtimerOffset = offset;
  }
  hostTicks(): bigint {
    return (BigInt(Math.floor(this.hostNs)) * BigInt(this.frequency)) / 1_000_000_000n;
  }
  hostCounterFrequency(): number {
    return this.frequency;
  }
  gicSetSpi(intid: number, level: boolean): void {
    this.spis.push([intid, level]);
  }
}
