// Public API of @vmapple/pl061.
export { type GpioOutputCallback, Pl061, type Pl061Options } from './pl061.js';
export { PL061_ID, PL061_LINES, PL061_REGION_SIZE } from './registers.js';
