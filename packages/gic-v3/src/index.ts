// Public API of @vmapple/gic-v3.
export { GicV3, type GicV3Options, type GicV3StateData } from './gic-v3.js';
export { CpuInterface } from './cpu-interface.js';
export { affinityOf } from './redistributor.js';
export {
  GICD,
  GICD_SIZE,
  GICR,
  GICR_SGI,
  GICR_SGI_BASE,
  GICR_STRIDE,
  ICC_ENCODINGS,
  type IccRegisterName,
  INTID_SPURIOUS,
  MAX_CPUS,
  PRIORITY_BITS,
  SPI_COUNT,
} from './constants.js';
