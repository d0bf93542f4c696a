import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  AddressSpace,
  MmioRegion,
  RamRegion,
  sysregEncoding,
  VirtualClock,
  type SystemRegisterHandler,
  type SysregValue,
} from '@vmapple/core-bus';
import type { Cpu, RunExit } from '../../src/cpu.js';
import { parseElf, type ElfImage } from './elf.js';
import type { CpuFactory } from './interp.js';

/**
 * A minimal board for the bare-metal payloads in the interpreter: RAM, a
 * PL011-like byte sink, a fake GICv3 (MMIO frames that accept everything,
 * ICC_* registers that deliver the virtual timer as INTID 27) and PSCI
 * SYSTEM_OFF over HVC. Two layouts: QEMU virt and vmapple.
 */
export interface BoardLayout {
  name: 'virt' | 'vmapple';
  ramBase: number;
  uart: number;
  gicd: number;
  gicr: number;
}

export const VIRT: BoardLayout = { name: 'virt', ramBase: 0x4000_0000, uart: 0x0900_0000, gicd: 0x0800_0000, gicr: 0x080a_0000 };
export const VMAPPLE: BoardLayout = { name: 'vmapple', ramBase: 0x7000_0000, uart: 0x2001_0000, gicd: 0x1000_0000, gicr: 0x1001_0000 };

export const PAYLOAD_DIR = fileURLToPath(new URL('../../payloads/bin/', import.meta.url));

export function payloadPath(name: string, board: BoardLayout): string {
  return `${PAYLOAD_DIR}${name}-${board.name}.elf`;
}

export function loadPayload(name: string, board: BoardLayout): { elf: ElfImage; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(payloadPath(name, board)));
  return { elf: parseElf(bytes), bytes };
}

const RAM_SIZE = 8 << 20;
const ICC_IAR1 = sysregEncoding(3, 0, 12, 12, 0);
const ICC_EOIR1 = sysregEncoding(3, 0, 12, 12, 1);
const ICC_SRE = sysregEncoding(3, 0, 12, 12, 5);

/** Whether `encoding` is a GICv3 CPU interface register (ICC_PMR_EL1, or op0=3 op1=0 CRn=12 CRm=8..12). */
function isIcc(encoding: number): boolean {
  if (encoding === sysregEncoding(3, 0, 4, 6, 0)) return true;
  const crm = (encoding >>> 3) & 15;
  return encoding >>> 7 === ((3 << 7) | (0 << 4) | 12) && crm >= 8 && crm <= 12;
}

/** ICC_* as a fake CPU interface: the only interrupt source is the virtual timer (INTID 27). */
class FakeGicCpuInterface implements SystemRegisterHandler {
  timerLevel = false;
  active = false;
  readonly regs = new Map<number, number>();
  readSysreg(_cpu: number, encoding: number, out: SysregValue): boolean {
    if (!isIcc(encoding)) return false;
    out.hi = 0;
    if (encoding === ICC_IAR1) {
      if (this.timerLevel && !this.active) {
        this.active = true;
        out.lo = 27;
      } else {
        out.lo = 1023;
      }
    } else if (encoding === ICC_SRE) {
      out.lo = 0x7;
    } else {
      out.lo = this.regs.get(encoding) ?? 0;
    }
    return true;
  }
  writeSysreg(_cpu: number, encoding: number, lo: number): boolean {
    if (!isIcc(encoding)) return false;
    if (encoding === ICC_EOIR1 && lo === 27) this.active = false;
    else this.regs.set(encoding, lo);
    return true;
  }
}

export interface PayloadRun {
  output: string;
  exit: 'off' | 'limit' | RunExit;
  retired: number;
  hostMs: number;
  /** CPU time of this process (user + system) during the run. */
  cpuMs: number;
}

export class PayloadBoard {
  readonly memory = new AddressSpace({ name: 'payload-board', unmapped: 'fault' });
  readonly clock = new VirtualClock();
  readonly ram = new RamRegion('ram', RAM_SIZE);
  readonly cpu: Cpu;
  private readonly uartBytes: number[] = [];
  private poweredOff = false;

  constructor(
    readonly layout: BoardLayout,
    elf: ElfImage,
    makeCpu: CpuFactory,
  ) {
    this.memory.mapRam(layout.ramBase, this.ram);
    for (const s of elf.segments) this.ram.load(s.paddr - layout.ramBase, s.data);
    const uartBytes = this.uartBytes;
    this.memory.mapMmio(
      layout.uart,
      new MmioRegion({
        name: 'uart-sink',
        size: 0x1000,
        handler: {
          read: () => 0, // FR = 0: never full
          write: (offset, _size, value) => {
            if (offset === 0) uartBytes.push(value & 0xff);
          },
        },
      }),
    );
    const accept = { read: () => 0, write: () => {} };
    this.memory.mapMmio(layout.gicd, new MmioRegion({ name: 'fake-gicd', size: 0x1_0000, handler: accept }));
    this.memory.mapMmio(layout.gicr, new MmioRegion({ name: 'fake-gicr', size: 0x2_0000, handler: accept }));
    const gic = new FakeGicCpuInterface();
    this.cpu = makeCpu({
      memory: this.memory,
      clock: this.clock,
      sysregs: gic,
      hvc: (cpu) => {
        if ((cpu.getX(0) & 0xffff_ffffn) === 0x8400_0008n) {
          this.poweredOff = true;
          cpu.requestExit();
        } else {
          cpu.setX(0, 0xffff_ffff_ffff_ffffn); // NOT_SUPPORTED
        }
        return true;
      },
    });
    const cpu = this.cpu;
    this.cpu.virtualTimer.connect({
      setLevel(level: boolean) {
        gic.timerLevel = level;
        cpu.irq.setLevel(level);
      },
    });
    this.cpu.reset({ pc: BigInt(elf.entry) });
  }

  writeRam32(addr: number, value: number): void {
    this.ram.view.setUint32(addr - this.layout.ramBase, value, true);
  }

  /** Runs until PSCI SYSTEM_OFF or `maxInstructions`. WFI skips virtual time to the next deadline. */
  run(maxInstructions = 200_000_000, slice = 1_000_000): PayloadRun {
    const cpu = this.cpu;
    const start = cpu.retired;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let exit: PayloadRun['exit'] = 'limit';
    while (cpu.retired - start < maxInstructions) {
      const r = cpu.run(slice);
      this.clock.runDue();
      if (this.poweredOff) {
        exit = 'off';
        break;
      }
      if (r === 'wfi') {
        const next = this.clock.nextDeadline();
        if (next === Infinity) {
          exit = r;
          break;
        }
        this.clock.advanceTo(next);
        this.clock.runDue();
      } else if (r !== 'budget' && r !== 'exit') {
        exit = r;
        break;
      }
    }
    return {
      output: new TextDecoder().decode(Uint8Array.from(this.uartBytes)).replace(/\r\n/g, '\n'),
      exit,
      retired: cpu.retired - start,
      hostMs: performance.now() - t0,
      cpuMs: ((c => c.user + c.system)(process.cpuUsage(c0))) / 1000,
    };
  }
}
