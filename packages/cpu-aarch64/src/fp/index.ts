// Public API of the floating-point / Advanced SIMD arithmetic library (see README.md).
export * from './state.js';
export * from './arith.js';
export { roundPack, RF_AHP, RF_FZ } from './round.js';
export * from './compare.js';
export * from './convert.js';
export * from './estimate.js';
export * from './simd-int.js';
export * from './crypto.js';
