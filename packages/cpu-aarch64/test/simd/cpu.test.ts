import { describe, expect, it } from 'vitest';
import { CODE_BASE, RAM_BASE, machine } from '../helpers.js';
import { Rng, randomCase } from './gen.js';
import { runSimdOracle, type SimdCase } from './oracle.js';
import type { Template } from './run.js';
import { CRYPTO, FP, INTEGER, LOAD_STORE } from './templates.js';

const PER = Math.max(10, Math.floor(Number(process.env.SIMD_ORACLE_CASES ?? 300) / 6));
const DATA = BigInt(RAM_BASE + 0x20_0000);
const HVC_EXIT = 0xd41fffe2; // hvc #0xffff

const hex = (v: bigint) => v.toString(16);

// The same words through the whole CPU (decoder routing, CPACR_EL1.FPEN, FPCR/FPSR/NZCV plumbing,
// UNDEFINED as a synchronous exception with ESR_EL1.EC = 0), against qemu-aarch64.
function throughCpu(templates: readonly Template[], seed: number): string[] {
    const r = new Rng(seed);
    const cases: SimdCase[] = [];
    for (const t of templates) for (let i = 0; i < PER; i++) cases.push(randomCase(r, t.pattern, t.pointers ?? 0));
    const res = runSimdOracle(cases);
    const m = machine(new Uint8Array(8));
    const cpu = m.cpu;
    // Exceptions go to VBAR_EL1 + 0x200 (current EL, SP_ELx), where the exit call waits.
    const VBAR = RAM_BASE + 0x30_0000;
    m.mem.write(VBAR + 0x200, 4, HVC_EXIT);
    cpu.setSysreg('VBAR_EL1', BigInt(VBAR));
    const failures: string[] = [];
    for (let i = 0; i < cases.length && failures.length < 20; i++) {
      const k = cases[i]!;
      const e = res[i]!;
      m.mem.write(CODE_BASE, 4, k.word >>> 0);
      m.mem.write(CODE_BASE + 4, 4, HVC_EXIT);
      cpu.invalidateCode();
      cpu.setSysreg('CPACR_EL1', 3n << 20n);
      cpu.setSysreg('ESR_EL1', 0x3fn << 26n);
      cpu.setPc(BigInt(CODE_BASE));
      for (let v = 0; v < 32; v++) {
        let x = 0n;
        for (let b = 15; b >= 0; b--) x = (x << 8n) | BigInt(k.v[v * 16 + b]!);
        cpu.setV(v, x);
      }
      for (let j = 0; j < 8; j++) cpu.setX(j, (k.xrel >>> j) & 1 ? DATA + k.x[j]! : k.x[j]!);
      for (let b = 0; b < 64; b++) m.mem.write(Number(DATA) + b, 1, k.mem[b]!);
      cpu.setNzcv(k.nzcv | 0);
      cpu.fpcr = k.fpcr;
      cpu.fpsr = 0;
      const exit = cpu.run(4);
      const where = `.inst 0x${(k.word >>> 0).toString(16)} fpcr=${k.fpcr.toString(16)}`;
      if (e.undef) {
        const ec = Number(cpu.getSysreg('ESR_EL1') >> 26n);
        if (ec !== 0 || cpu.getSysreg('ELR_EL1') !== BigInt(CODE_BASE)) failures.push(`${where}: qemu UNDEFINED, ours: exit ${exit}, ESR.EC ${ec.toString(16)}`);
        continue;
      }
      if (exit !== 'exit' || cpu.getSysreg('ESR_EL1') >> 26n !== 0x3fn) {
        failures.push(`${where}: did not complete (exit ${exit}, ESR.EC ${hex(cpu.getSysreg('ESR_EL1') >> 26n)})`);
        continue;
      }
      const diffs: string[] = [];
      for (let v = 0; v < 32; v++) {
        let x = 0n;
        for (let b = 15; b >= 0; b--) x = (x << 8n) | BigInt(e.v[v * 16 + b]!);
        if (cpu.getV(v) !== x) diffs.push(`v${v} expected ${hex(x)} got ${hex(cpu.getV(v))}`);
      }
      for (let j = 0; j < 8; j++) {
        const got = (k.xrel >>> j) & 1 ? BigInt.asUintN(64, cpu.getX(j) - DATA) : cpu.getX(j);
        if (got !== e.x[j]) diffs.push(`x${j} expected ${hex(e.x[j]!)} got ${hex(got)}`);
      }
      for (let b = 0; b < 64; b++) if (m.mem.read(Number(DATA) + b, 1) !== e.mem[b]) diffs.push(`memory byte ${b}`);
      if ((cpu.getPstate() >>> 28) !== e.nzcv >>> 28) diffs.push(`nzcv expected ${e.nzcv >>> 28} got ${cpu.getPstate() >>> 28}`);
      if ((cpu.fpsr >>> 0) !== e.fpsr >>> 0) diffs.push(`fpsr expected ${e.fpsr.toString(16)} got ${cpu.fpsr.toString(16)}`);
      if (diffs.length) failures.push(`${where}: ${diffs.slice(0, 3).join('; ')}`);
    }
    return failures;
}

describe('FP/AdvSIMD through InterpreterCpu against qemu-aarch64', () => {
  it('integer, FP and crypto groups', () => {
    expect(throughCpu([...INTEGER, ...FP, ...CRYPTO], 0xc9c9)).toEqual([]);
  });

  // Single-structure forms reach memory through the CPU's simdLoad/simdStore hooks (MMU, faults).
  it('LD1-LD4/ST1-ST4 single structure and LDnR through the CPU', () => {
    expect(throughCpu(LOAD_STORE, 0x1d1d)).toEqual([]);
  });
});
