import { type CompiledBlock } from './block-compiler.js';

/**
 * One 4 KiB physical page of guest code, decoded lazily: `op[i] === 0` means
 * instruction i has not been decoded yet. Operand fields are packed at decode
 * time so the interpreter only shifts and masks.
 */
export class CodePage {
  /** Raw instruction words, copied when the page was first fetched. */
  readonly w = new Int32Array(1024);
  /** Handler id per instruction (0 = not decoded). */
  readonly op = new Int32Array(1024);
  /** Packed register slots: d | n << 8 | m << 16 | x << 24. */
  readonly a = new Int32Array(1024);
  /** Small immediate or packed sub-fields. */
  readonly b = new Int32Array(1024);
  /** 64-bit immediate (offsets relative to the page base, logical masks, ...). */
  readonly imm = new BigUint64Array(1024);
  /** Second 64-bit immediate (bitfield tmask). */
  readonly imm2 = new BigUint64Array(1024);
  /** `imm` and `imm2` as int32 pairs (lo at 2i, hi at 2i+1), for paths that avoid BigInt. */
  readonly imm32 = new Int32Array(this.imm.buffer);
  readonly imm2x32 = new Int32Array(this.imm2.buffer);

  /** Entries into each instruction as a block start (branch targets); negative once found not compilable. */
  readonly hot = new Int32Array(1024);
  /** Compiled blocks by start index (null: no block form), created on the first compilation. */
  blocks: (CompiledBlock | null | undefined)[] | null = null;

  constructor(readonly paPage: number) {}
}
