// Public API of @vmapple/cpu-aarch64.
export type { CallHandler, Cpu, CpuBootState, CpuOptions, RunExit } from './cpu.js';
