// Public API of @vmapple/pl031.
export { Pl031, type Pl031Options } from './pl031.js';
export { PL031_ID, PL031_REGION_SIZE } from './registers.js';
