/**
 * Register-file layout: slots 0..30 are X0..X30; slot 31 reads as zero
 * (XZR/WZR) and is never written; 32 is the current SP; 33 takes writes to
 * XZR; 34..36 and 39 are scratch; 37 holds the VA of the page executing and
 * 38 the PC while the loop is not running. The enums themselves live in
 * ../interpreter-cpu.ts next to the dispatch loop.
 */

/** Access size in bytes per load/store kind (indexed by `Ls`). */
export const LS_SIZE = new Int32Array([1, 2, 4, 8, 1, 2, 4, 8, 1, 2, 4, 1, 2, 8, 0, 0, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16]);
