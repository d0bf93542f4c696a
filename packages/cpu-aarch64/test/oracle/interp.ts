import { AddressSpace, RamRegion, VirtualClock } from '@vmapple/core-bus';
import type { Cpu, CpuOptions } from '../../src/cpu.js';
import type { ElfImage } from './elf.js';

/** Creates an interpreter CPU; resolved at run time so the suites load before the interpreter exists. */
export type CpuFactory = (options: CpuOptions) => Cpu;

/**
 * Execution tiers of the interpreter that oracle suites check separately:
 * 'interpreter' never compiles blocks; 'blocks' compiles every block on its
 * first entry, so every sequence runs as compiled code where it can.
 */
export type InterpreterTier = 'interpreter' | 'blocks' | 'default';

export async function loadInterpreter(tier: InterpreterTier = 'default'): Promise<CpuFactory> {
  const mod = (await import('../../src/index.js')) as Record<string, unknown>;
  const ctor = mod['InterpreterCpu'] as (new (options: CpuOptions & { jitThreshold?: number }) => Cpu) | undefined;
  if (typeof ctor !== 'function') throw new Error('@vmapple/cpu-aarch64 does not export InterpreterCpu (yet)');
  const jitThreshold = tier === 'interpreter' ? Infinity : tier === 'blocks' ? 1 : undefined;
  return (options) => new ctor({ ...options, jitThreshold });
}

/** Maps one RAM region covering every loadable segment of `elf` (64 KiB granules) and loads them. */
export function mapElf(memory: AddressSpace, elf: ElfImage, usePaddr = false): { ram: RamRegion; base: number } {
  let lo = Infinity;
  let hi = 0;
  for (const s of elf.segments) {
    const a = usePaddr ? s.paddr : s.vaddr;
    lo = Math.min(lo, a);
    hi = Math.max(hi, a + s.memsz);
  }
  const base = Math.floor(lo / 0x10000) * 0x10000;
  const size = Math.ceil((hi - base) / 0x10000) * 0x10000;
  const ram = new RamRegion('elf', size);
  for (const s of elf.segments) ram.load((usePaddr ? s.paddr : s.vaddr) - base, s.data);
  memory.mapRam(base, ram);
  return { ram, base };
}

export function hex64(v: bigint | number): string {
  return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}

export { AddressSpace, RamRegion, VirtualClock };
