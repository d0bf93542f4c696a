// Public API of @vmapple/pl011.
export { Pl011, type ModemInputs, type Pl011Options, type ReceiveErrors, type TransmitSink } from './pl011.js';
export { PL011_FIFO_DEPTH, PL011_ID, PL011_REGION_SIZE } from './registers.js';
