/**
 * QEMU as an oracle: a stopped `virt` machine driven over the qtest protocol
 * (`-qtest stdio`: readl/writel/read/write of guest-physical addresses), and
 * the same bus interface over our device, so one driver script can run
 * against both and their observations be compared.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { AddressSpace, MemoryBlockBackend, MmioRegion, RamRegion } from '@vmapple/core-bus';
import { VirtioBlkPci, type VirtioBlkOptions } from '../src/index.js';

/** QEMU virt with highmem=off: ECAM, 32-bit PCI memory window, RAM. */
export const VIRT = { ecam: 0x3f00_0000, pciMem: 0x1000_0000, ram: 0x4000_0000 } as const;

export interface Bus {
  read(addr: number, size: 1 | 2 | 4): Promise<number>;
  write(addr: number, size: 1 | 2 | 4, value: number): Promise<void>;
  readBytes(addr: number, len: number): Promise<Uint8Array>;
  writeBytes(addr: number, data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export const HINT = 'this test needs qemu-system-aarch64: `apt-get install --no-install-recommends qemu-system-arm`';

export class QemuBus implements Bus {
  private proc: ChildProcessWithoutNullStreams;
  private buf = '';
  private waiters: Array<(line: string) => void> = [];
  private lines: string[] = [];
  private exited: Error | null = null;

  constructor(imagePath: string, deviceProps: string) {
    this.proc = spawn(
      'qemu-system-aarch64',
      [
        '-machine', 'virt,highmem=off', '-cpu', 'cortex-a72', '-m', '256M', '-S', '-display', 'none', '-nodefaults', '-nic', 'none',
        '-qtest', 'stdio', '-qtest-log', 'none',
        '-drive', `if=none,id=d0,file=${imagePath},format=raw`,
        '-device', `virtio-blk-pci,drive=d0,addr=01.0,${deviceProps}`,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.proc.on('error', (e) => this.fail(new Error(`qemu-system-aarch64: ${e.message}; ${HINT}`)));
    this.proc.on('exit', (code) => this.fail(new Error(`qemu exited with ${code}`)));
    this.proc.stdin.on('error', (e) => this.fail(new Error(`qemu stdin: ${e.message}; ${HINT}`)));
    this.proc.stdout.setEncoding('utf8');
    this.proc.stdout.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!/^(OK|FAIL|ERR)/.test(line)) continue; // IRQ and other async lines
        const w = this.waiters.shift();
        if (w) w(line);
        else this.lines.push(line);
      }
    });
  }

  private fail(e: Error): void {
    this.exited = e;
    for (const w of this.waiters.splice(0)) w(`ERR ${e.message}`);
  }

  private async cmd(line: string): Promise<string> {
    if (this.exited) throw this.exited;
    const reply = new Promise<string>((resolve) => {
      const early = this.lines.shift();
      if (early) resolve(early);
      else this.waiters.push(resolve);
    });
    this.proc.stdin.write(line + '\n');
    const r = await reply;
    if (!r.startsWith('OK')) throw new Error(`qtest '${line}': ${r}`);
    return r;
  }

  async read(addr: number, size: 1 | 2 | 4): Promise<number> {
    const op = size === 1 ? 'readb' : size === 2 ? 'readw' : 'readl';
    const r = await this.cmd(`${op} 0x${addr.toString(16)}`);
    return Number(BigInt(r.split(' ')[1]!));
  }

  async write(addr: number, size: 1 | 2 | 4, value: number): Promise<void> {
    const op = size === 1 ? 'writeb' : size === 2 ? 'writew' : 'writel';
    await this.cmd(`${op} 0x${addr.toString(16)} 0x${(value >>> 0).toString(16)}`);
  }

  async readBytes(addr: number, len: number): Promise<Uint8Array> {
    const r = await this.cmd(`read 0x${addr.toString(16)} 0x${len.toString(16)}`);
    const hex = r.split(' ')[1]!.slice(2);
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return out;
  }

  async writeBytes(addr: number, data: Uint8Array): Promise<void> {
    if (data.length === 0) return;
    const hex = [...data].map((b) => b.toString(16).padStart(2, '0')).join('');
    await this.cmd(`write 0x${addr.toString(16)} 0x${data.length.toString(16)} 0x${hex}`);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    await done;
  }
}

/** Our device on the same addresses: ECAM slot 1, BARs mapped where the script puts them, RAM at 1 GiB. */
export class ModelBus implements Bus {
  readonly sys = new AddressSpace({ name: 'system', unmappedValue: 'ones' });
  readonly fn: VirtioBlkPci;

  constructor(backend: MemoryBlockBackend, options: Partial<VirtioBlkOptions>) {
    this.fn = new VirtioBlkPci({ backend, ...options });
    this.sys.mapRam(VIRT.ram, new RamRegion('ram', 256 << 20));
    const fn = this.fn;
    const ecam = new MmioRegion({
      name: 'ecam',
      size: 0x100_0000,
      handler: {
        read: (off, size) => (off >> 12 === 0x8 ? fn.configRead(off & 0xfff, size) : size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1),
        write: (off, size, v) => {
          if (off >> 12 === 0x8) fn.configWrite(off & 0xfff, size, v);
        },
      },
    });
    this.sys.mapMmio(VIRT.ecam, ecam);
    fn.attach({ memory: this.sys, dma: this.sys, setIntx: () => {} });
  }

  async read(addr: number, size: 1 | 2 | 4): Promise<number> {
    return this.sys.read(addr, size);
  }
  async write(addr: number, size: 1 | 2 | 4, value: number): Promise<void> {
    this.sys.write(addr, size, value);
  }
  async readBytes(addr: number, len: number): Promise<Uint8Array> {
    const out = new Uint8Array(len);
    this.sys.readBytes(addr, out);
    return out;
  }
  async writeBytes(addr: number, data: Uint8Array): Promise<void> {
    this.sys.writeBytes(addr, data);
  }
  async close(): Promise<void> {}
}
