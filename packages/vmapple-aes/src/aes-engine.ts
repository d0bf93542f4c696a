import {
  ConfigValidator,
  type GuestMemory,
  hex,
  IrqLine,
  type Log,
  MmioRegion,
  type DeviceState,
  bytesToBase64,
  base64ToBytes,
  checkState,
  makeState,
  silentLog,
  type TracePoint,
} from '@vmapple/core-bus';
import { type AesBackend, type AesRequest, SoftAesBackend } from './aes-backend.js';
import {
  AES2_REGION_SIZE,
  AES_REGION_SIZE,
  AesReg,
  builtinKey,
  DATA_IV_CONTEXT_SHIFT,
  DATA_KEY_CONTEXT_SHIFT,
  DATA_LENGTH_MASK,
  FIFO_DEPTH,
  FLAG_INFO_MASK,
  FLAG_IRQ_BIT,
  IRQ_FLAG,
  IRQ_INVALID_CMD,
  IV_CONTEXT_SHIFT,
  KEY_BLOCK_MODE_MASK,
  KEY_BLOCK_MODE_SHIFT,
  KEY_CONTEXT_SHIFT,
  KEY_ENCRYPT_BIT,
  KEY_LEN_MASK,
  KEY_LEN_SHIFT,
  KEY_LENGTHS,
  KEY_SELECT_MASK,
  KEY_SELECT_SHIFT,
  Opcode,
  Q_STATUS_RESET,
  STATUS_RESET,
} from './aes-registers.js';

/**
 * 'qemu' reproduces QEMU 10.0 bit for bit, quirks included; 'fixed' keeps
 * the register interface but corrects them (see README, "Quirks").
 */
export type AesQuirks = 'qemu' | 'fixed';

export interface AppleAesOptions {
  /** Guest physical memory the engine DMAs through (no IOMMU). */
  memory: GuestMemory;
  log?: Log;
  /** Default 'qemu'. */
  quirks?: AesQuirks;
  /** Default: the pure-TypeScript `SoftAesBackend`. */
  backend?: AesBackend;
  /** Name in logs; default "apple-aes". */
  name?: string;
}

/** Result of a command handler: done (FIFO emptied), waiting for payload, or failed. */
const enum Step {
  Done,
  NeedMore,
  Failed,
}

/** Largest DATA transfer (the 24-bit length field). */
const MAX_DATA = DATA_LENGTH_MASK;
const TWO_32 = 0x1_0000_0000;
/** Bounce buffers up to this size are kept for reuse; larger transfers allocate per command. */
const KEEP_BOUNCE = 1 << 20;

interface AesStateData {
  status: number;
  qStatus: number;
  irqStatus: number;
  irqEnable: number;
  watermark: number;
  flagInfo: number;
  fifo: number[];
  fifoIdx: number;
  keys: string[];
  ivs: string[];
  encrypt: boolean;
  cbc: boolean;
}

/**
 * The vmapple AES engine (`apple-aes`, spec §2): a nine-word command FIFO
 * that loads keys and IVs and runs ECB/CBC over guest memory by DMA. Every
 * command completes synchronously inside the FIFO write that completes it.
 */
export class AppleAes {
  static readonly STATE_TYPE = 'apple-aes';
  static readonly STATE_VERSION = 1;

  /** Region 1: control registers and the FIFO (map at `AES_BASE`). */
  readonly region: MmioRegion;
  /** Region 2: the AES_2 stub (map at `AES2_BASE`). */
  readonly region2: MmioRegion;
  /** Level interrupt: (IRQ_STATUS & IRQ_ENABLE) != 0. */
  readonly irq = new IrqLine();
  readonly quirks: AesQuirks;
  readonly name: string;
  /** The trace points of spec §2.9 (all disabled); set `enabled` to trace. */
  readonly tracePoints: readonly TracePoint[];

  private readonly memory: GuestMemory;
  private readonly log: Log;
  private readonly backend: AesBackend;
  private readonly trRead: TracePoint;
  private readonly trWrite: TracePoint;
  private readonly trCmd: TracePoint;
  private readonly trRead2: TracePoint;
  private readonly trWrite2: TracePoint;
  private readonly trKeyBuiltin: TracePoint;
  private readonly trKeyNew: TracePoint;
  private readonly trIv: TracePoint;
  private readonly trData: TracePoint;
  private readonly trStoreIv: TracePoint;
  private readonly trFlag: TracePoint;
  private readonly trDump: TracePoint;

  private status = STATUS_RESET;
  private qStatus = Q_STATUS_RESET;
  private irqStatus = 0;
  private irqEnable = 0;
  private watermark = 0;
  private flagInfo = 0;
  private readonly fifo = new Uint32Array(FIFO_DEPTH);
  private fifoIdx = 0;
  /** Key slots 0 and 1: bytes (up to 32) and length. */
  private readonly keys = [new Uint8Array(32), new Uint8Array(32)];
  private readonly keyLen = [0, 0];
  /** IV slots 0..3. */
  private readonly ivs = [new Uint8Array(16), new Uint8Array(16), new Uint8Array(16), new Uint8Array(16)];
  private encrypt = false;
  private cbc = false;

  /** Reused bounce buffer for DATA transfers that cannot run in place in RAM. */
  private bounce = new Uint8Array(0);
  private readonly request: AesRequest = {
    mode: 'ecb',
    encrypt: false,
    key: new Uint8Array(16),
    iv: new Uint8Array(16),
    src: new Uint8Array(0),
    dst: new Uint8Array(0),
  };

  constructor(options: AppleAesOptions) {
    const v = new ConfigValidator(options.name ?? 'apple-aes');
    this.name = v.device;
    this.quirks = v.oneOf('quirks', options.quirks, 'qemu', ['qemu', 'fixed'] as const);
    if (!options.memory) v.fail('memory', 'is required (the guest memory the engine DMAs through)');
    this.memory = options.memory;
    this.log = options.log ?? silentLog;
    this.backend = options.backend ?? new SoftAesBackend();
    this.trRead = this.log.tracePoint('aes_read');
    this.trWrite = this.log.tracePoint('aes_write');
    this.trCmd = this.log.tracePoint('aes_fifo_process');
    this.trRead2 = this.log.tracePoint('aes_2_read');
    this.trWrite2 = this.log.tracePoint('aes_2_write');
    this.trKeyBuiltin = this.log.tracePoint('aes_cmd_key_select_builtin');
    this.trKeyNew = this.log.tracePoint('aes_cmd_key_select_new');
    this.trIv = this.log.tracePoint('aes_cmd_iv');
    this.trData = this.log.tracePoint('aes_cmd_data');
    this.trStoreIv = this.log.tracePoint('aes_cmd_store_iv');
    this.trFlag = this.log.tracePoint('aes_cmd_flag');
    this.trDump = this.log.tracePoint('aes_dump_data');
    this.tracePoints = [
      this.trRead,
      this.trWrite,
      this.trRead2,
      this.trWrite2,
      this.trKeyBuiltin,
      this.trKeyNew,
      this.trIv,
      this.trData,
      this.trStoreIv,
      this.trFlag,
      this.trCmd,
      this.trDump,
    ];
    const rules = { valid: { min: 4, max: 8 }, impl: { min: 4, max: 4 } } as const;
    this.region = new MmioRegion({
      name: this.name,
      size: AES_REGION_SIZE,
      ...rules,
      handler: { read: (o) => this.readReg(o), write: (o, _s, val) => this.writeReg(o, val) },
    });
    this.region2 = new MmioRegion({
      name: `${this.name}.aes2`,
      size: AES2_REGION_SIZE,
      ...rules,
      handler: { read: (o) => this.readAes2(o), write: (o, _s, val) => this.writeAes2(o, val) },
    });
    this.reset();
  }

  /**
   * Device reset. QEMU resets only the visible status registers: FIFO, keys,
   * IVs, FLAG_INFO and the mode survive (so a wedged FIFO stays wedged). The
   * fixed mode returns everything to power-on state.
   */
  reset(): void {
    this.status = STATUS_RESET;
    this.qStatus = Q_STATUS_RESET;
    this.irqStatus = 0;
    this.irqEnable = 0;
    this.watermark = 0;
    if (this.quirks === 'fixed') {
      this.flagInfo = 0;
      this.fifo.fill(0);
      this.fifoIdx = 0;
      for (const k of this.keys) k.fill(0);
      this.keyLen[0] = this.keyLen[1] = 0;
      for (const iv of this.ivs) iv.fill(0);
      this.encrypt = false;
      this.cbc = false;
    }
    this.updateIrq();
  }

  // ---- region 1 --------------------------------------------------------------

  private readReg(offset: number): number {
    let value = 0;
    switch (offset) {
      case AesReg.STATUS:
        value = this.status;
        break;
      case AesReg.IRQ_STATUS:
        value = this.irqStatus;
        break;
      case AesReg.IRQ_ENABLE:
        value = this.irqEnable;
        break;
      case AesReg.WATERMARK:
        value = this.watermark;
        break;
      case AesReg.Q_STATUS:
        value = this.qStatus;
        break;
      case AesReg.FLAG_INFO:
        value = this.flagInfo;
        break;
      default:
        // Includes FIFO (write-only): reads as 0.
        this.log.unimplemented(this.name, `read of unknown register ${hex(offset)}`);
    }
    if (this.trRead.enabled) this.trRead.emit(`${hex(offset)} -> ${hex(value)}`);
    return value >>> 0;
  }

  private writeReg(offset: number, value: number): void {
    if (this.trWrite.enabled) this.trWrite.emit(`${hex(offset)} <- ${hex(value)}`);
    switch (offset) {
      case AesReg.IRQ_STATUS:
        this.irqStatus = (this.irqStatus & ~value) >>> 0;
        break;
      case AesReg.IRQ_ENABLE:
        this.irqEnable = value >>> 0;
        break;
      case AesReg.FIFO:
        this.pushFifo(value >>> 0);
        break;
      case AesReg.STATUS:
      case AesReg.WATERMARK:
      case AesReg.Q_STATUS:
      case AesReg.FLAG_INFO:
        return;
      default:
        this.log.unimplemented(this.name, `write of ${hex(value)} to unknown register ${hex(offset)}`);
        return;
    }
    this.updateIrq();
  }

  private updateIrq(): void {
    this.irq.setLevel((this.irqStatus & this.irqEnable) !== 0);
  }

  // ---- region 2 (AES_2) --------------------------------------------------------

  private readAes2(offset: number): number {
    if (this.trRead2.enabled) this.trRead2.emit(`${hex(offset)} -> 0x0`);
    if (offset !== 0) this.log.unimplemented(`${this.name}.aes2`, `read of unknown register ${hex(offset)}`);
    return 0;
  }

  private writeAes2(offset: number, value: number): void {
    if (this.trWrite2.enabled) this.trWrite2.emit(`${hex(offset)} <- ${hex(value)}`);
    this.log.unimplemented(`${this.name}.aes2`, `write of ${hex(value)} to unknown register ${hex(offset)}`);
  }

  // ---- FIFO --------------------------------------------------------------------

  private pushFifo(word: number): void {
    if (this.fifoIdx < FIFO_DEPTH) this.fifo[this.fifoIdx++] = word;
    if (this.fifoIdx === 0) return;
    const cmd = this.fifo[0]!;
    if (this.trCmd.enabled) this.trCmd.emit(`cmd ${hex(cmd, 8)} with ${this.fifoIdx} words queued`);
    let step: Step;
    switch (cmd >>> 28) {
      case Opcode.KEY:
        step = this.cmdKey(cmd);
        break;
      case Opcode.IV:
        step = this.cmdIv(cmd);
        break;
      case Opcode.DATA:
        step = this.cmdData(cmd);
        break;
      case Opcode.STORE_IV:
        step = this.cmdStoreIv(cmd);
        break;
      case Opcode.FLAG:
        step = this.cmdFlag(cmd);
        break;
      default:
        this.irqStatus |= IRQ_INVALID_CMD;
        this.log.guestError(this.name, `unsupported command ${hex(cmd, 8)} (opcode ${cmd >>> 28})`);
        step = Step.Failed;
    }
    if (step === Step.Done) {
      this.fifoIdx = 0;
    } else if (step === Step.Failed && this.quirks === 'fixed') {
      // Fixed mode drops the failed command instead of wedging the FIFO.
      this.fifoIdx = 0;
    }
  }

  /** Payload word i (1-based) as 4 little-endian bytes into dst at offset 4*(i-1). */
  private payloadBytes(dst: Uint8Array, words: number): void {
    for (let i = 0; i < words; i++) {
      const w = this.fifo[1 + i]!;
      dst[4 * i] = w;
      dst[4 * i + 1] = w >>> 8;
      dst[4 * i + 2] = w >>> 16;
      dst[4 * i + 3] = w >>> 24;
    }
  }

  private cmdKey(cmd: number): Step {
    const mode = (cmd >>> KEY_BLOCK_MODE_SHIFT) & KEY_BLOCK_MODE_MASK;
    if (mode > 1) {
      this.log.guestError(this.name, `KEY ${hex(cmd, 8)}: unsupported block mode ${mode}`);
      return Step.Failed;
    }
    this.cbc = mode === 1;
    this.encrypt = (cmd & KEY_ENCRYPT_BIT) !== 0;
    const slot = (cmd >>> KEY_CONTEXT_SHIFT) & 1;
    const select = (cmd >>> KEY_SELECT_SHIFT) & KEY_SELECT_MASK;
    if (select !== 0) {
      const k = builtinKey(select);
      if (this.trKeyBuiltin.enabled) this.trKeyBuiltin.emit(`slot ${slot} key ${select} (${k.length} bytes)`);
      this.keys[slot]!.fill(0).set(k);
      this.keyLen[slot] = k.length;
      return Step.Done;
    }
    const len = KEY_LENGTHS[(cmd >>> KEY_LEN_SHIFT) & KEY_LEN_MASK]!;
    if (len > 32) {
      this.log.guestError(this.name, `KEY ${hex(cmd, 8)}: 64-byte inline keys are not supported`);
      return Step.Failed;
    }
    if (this.fifoIdx < 1 + len / 4) {
      if (this.quirks === 'qemu') {
        this.log.guestError(this.name, `KEY: waiting for key data (${this.fifoIdx - 1} of ${len / 4} words)`);
      }
      return Step.NeedMore;
    }
    if (this.trKeyNew.enabled) this.trKeyNew.emit(`slot ${slot} ${len}-byte key`);
    this.keys[slot]!.fill(0);
    this.payloadBytes(this.keys[slot]!, len / 4);
    this.keyLen[slot] = len;
    return Step.Done;
  }

  /** IV slot addressed by an IV or STORE_IV command word. */
  private ivSlot(cmd: number): number {
    // QEMU masks with the KEY context bit (27) but shifts by the IV shift (26): slots 0 and 2 only.
    return this.quirks === 'qemu' ? ((cmd >>> IV_CONTEXT_SHIFT) & 0b10) : (cmd >>> IV_CONTEXT_SHIFT) & 0b11;
  }

  private cmdIv(cmd: number): Step {
    if (this.fifoIdx < 5) return Step.NeedMore;
    if (this.trIv.enabled) this.trIv.emit(`slot ${this.ivSlot(cmd)}`);
    this.payloadBytes(this.ivs[this.ivSlot(cmd)]!, 4);
    return Step.Done;
  }

  private cmdData(cmd: number): Step {
    if (this.fifoIdx < 4) return Step.NeedMore;
    const length = cmd & MAX_DATA;
    const w1 = this.fifo[1]!;
    const src = (w1 >>> 16) * TWO_32 + this.fifo[2]!;
    const dst = (w1 & 0xffff) * TWO_32 + this.fifo[3]!;
    const slot = (cmd >>> DATA_KEY_CONTEXT_SHIFT) & 1;
    // QEMU ignores the IV context field and always chains from IV slot 0.
    const ivSlot = this.quirks === 'qemu' ? 0 : (cmd >>> DATA_IV_CONTEXT_SHIFT) & 0b11;
    const mem = this.memory;
    if (this.trData.enabled) {
      this.trData.emit(`key slot ${slot} iv slot ${ivSlot} ${this.cbc ? 'CBC' : 'ECB'} ${this.encrypt ? 'encrypt' : 'decrypt'} ${hex(src)} -> ${hex(dst)} (${hex(length)} bytes)`);
    }

    // Step 1: fetch the source. In place when both ranges are one RAM slice each and
    // their host bytes are identical or disjoint (RAM may be aliased, so compare
    // host bytes, not guest addresses); otherwise through a bounce buffer.
    let input: Uint8Array | undefined;
    let output: Uint8Array | undefined;
    let bounced = false;
    if (length > 0) {
      input = mem.ramSlice(src, length);
      output = input && mem.ramSlice(dst, length);
      if (!input || !output || partlyOverlap(input, output)) {
        if (length > KEEP_BOUNCE) {
          input = output = new Uint8Array(length);
        } else {
          if (this.bounce.length < length) this.bounce = new Uint8Array(KEEP_BOUNCE);
          input = output = this.bounce.subarray(0, length);
        }
        bounced = true;
        if (!mem.readBytes(src, input)) {
          this.log.guestError(this.name, `DATA: DMA read of ${length} bytes at ${hex(src)} failed`);
          return Step.Failed;
        }
      }
    }
    const keyLen = this.keyLen[slot]!;
    if (keyLen !== 16 && keyLen !== 24 && keyLen !== 32) {
      this.log.guestError(this.name, `DATA: key slot ${slot} has invalid length ${keyLen}`);
      return Step.Failed;
    }
    if (length % 16 !== 0) {
      this.log.guestError(this.name, `DATA: length ${hex(length)} is not a multiple of the block size`);
      return Step.Failed;
    }
    if (length === 0) return Step.Done;
    const req = this.request;
    req.mode = this.cbc ? 'cbc' : 'ecb';
    req.encrypt = this.encrypt;
    req.key = this.keys[slot]!.subarray(0, keyLen);
    req.iv = this.ivs[ivSlot]!;
    req.src = input!;
    req.dst = output!;
    if (!this.backend.crypt(req)) {
      this.log.guestError(this.name, `DATA: cipher failed`);
      return Step.Failed;
    }
    if (this.trDump.enabled && length <= 4096) this.trDump.emit(hexDump(output!));
    if (bounced && !mem.writeBytes(dst, output!)) {
      this.log.guestError(this.name, `DATA: DMA write of ${length} bytes at ${hex(dst)} failed`);
      return Step.Failed;
    }
    return Step.Done;
  }

  private cmdStoreIv(cmd: number): Step {
    if (this.fifoIdx < 2) return Step.NeedMore;
    const addr = (cmd & 0xff) * TWO_32 + this.fifo[1]!;
    if (this.trStoreIv.enabled) this.trStoreIv.emit(`slot ${this.ivSlot(cmd)} -> ${hex(addr)}`);
    if (!this.memory.writeBytes(addr, this.ivs[this.ivSlot(cmd)]!)) {
      this.log.guestError(this.name, `STORE_IV: DMA write at ${hex(addr)} failed`);
      return Step.Failed;
    }
    return Step.Done;
  }

  private cmdFlag(cmd: number): Step {
    if (this.trFlag.enabled) this.trFlag.emit(`raise ${(cmd & FLAG_IRQ_BIT) !== 0} info ${hex(cmd & FLAG_INFO_MASK)}`);
    if (cmd & FLAG_IRQ_BIT) this.irqStatus |= IRQ_FLAG;
    this.flagInfo = cmd & FLAG_INFO_MASK;
    return Step.Done;
  }

  // ---- snapshots ----------------------------------------------------------------

  saveState(): DeviceState<AesStateData> {
    return makeState(AppleAes.STATE_TYPE, AppleAes.STATE_VERSION, {
      status: this.status,
      qStatus: this.qStatus,
      irqStatus: this.irqStatus,
      irqEnable: this.irqEnable,
      watermark: this.watermark,
      flagInfo: this.flagInfo,
      fifo: Array.from(this.fifo),
      fifoIdx: this.fifoIdx,
      keys: this.keys.map((k, i) => bytesToBase64(k.subarray(0, this.keyLen[i]))),
      ivs: this.ivs.map((iv) => bytesToBase64(iv)),
      encrypt: this.encrypt,
      cbc: this.cbc,
    });
  }

  restoreState(state: DeviceState<AesStateData>): void {
    const d = checkState<AesStateData>(state, AppleAes.STATE_TYPE, AppleAes.STATE_VERSION);
    this.status = d.status >>> 0;
    this.qStatus = d.qStatus >>> 0;
    this.irqStatus = d.irqStatus >>> 0;
    this.irqEnable = d.irqEnable >>> 0;
    this.watermark = d.watermark >>> 0;
    this.flagInfo = d.flagInfo >>> 0;
    this.fifo.fill(0);
    this.fifo.set(d.fifo.slice(0, FIFO_DEPTH));
    this.fifoIdx = Math.min(Math.max(d.fifoIdx | 0, 0), FIFO_DEPTH);
    for (let i = 0; i < 2; i++) {
      const k = base64ToBytes(d.keys[i] ?? '').subarray(0, 32);
      this.keys[i]!.fill(0).set(k);
      this.keyLen[i] = k.length;
    }
    for (let i = 0; i < 4; i++) this.ivs[i]!.fill(0).set(base64ToBytes(d.ivs[i] ?? '').subarray(0, 16));
    this.encrypt = !!d.encrypt;
    this.cbc = !!d.cbc;
    this.updateIrq();
  }
}

function hexDump(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (i % 16 === 0 ? (i ? '\n' : '') : ' ') + bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Whether two views share some bytes without being the very same bytes. */
function partlyOverlap(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.byteOffset === b.byteOffset) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}
