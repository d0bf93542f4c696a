// Public API of @vmapple/cpu-aarch64.
export type { CallHandler, Cpu, CpuBootState, CpuOptions, RunExit } from './cpu.js';
export { EC, InterpreterCpu, type InterpreterCpuOptions, type InterpreterCpuState } from './interpreter-cpu.js';
export { executeFpSimd, type FpSimdContext } from './interp/fp-simd.js';
export { ID } from './interp/id-registers.js';
