import { AddressSpace, type BlockBackend, MemoryBlockBackend, RamRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { BDIF_BASE, VmappleBdif } from '../src/index.js';
import { image, makeBoard, RAM_BASE, writeDescriptor, writeSectorHeader } from './harness.js';

const HDR = 0x7000_1000;
const DESC = 0x7000_2000;
const STATUS = 0x7000_3000;
const DATA = 0x7100_0000;
const ROOT_CMD = BDIF_BASE + 0x408;
const AUX_CMD = BDIF_BASE + 0x1_0408;

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function guestBytes(bus: AddressSpace, addr: number, len: number): Uint8Array {
  const b = new Uint8Array(len);
  expect(bus.readBytes(addr, b)).toBe(true);
  return b;
}

describe('worked example (§3.5a)', () => {
  it('reads 8 sectors from sector 0x40 of AUX into 0x7100_0000 with status 0', () => {
    const b = makeBoard();
    writeSectorHeader(b.bus, HDR, 0x40);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x1000, status: STATUS });
    b.bus.write8(STATUS, 0xaa);
    b.bus.write(0x3001_0408, 4, 0x7000_2000);
    expect(firstDiff(guestBytes(b.bus, DATA, 0x1000), b.auxImage.subarray(0x8000, 0x9000))).toBe(-1);
    expect(b.bus.read8(STATUS)).toBe(0);
    // Nothing around the buffer was touched.
    expect(b.bus.read8(DATA - 1)).toBe(0);
    expect(b.bus.read8(DATA + 0x1000)).toBe(0);
    expect(b.errors()).toBe(0);
  });
});

describe('registers (§3.2, §3.3)', () => {
  const windows = [
    ['ROOT', 0x0_0000, 0x0800_0000],
    ['AUX', 0x1_0000, 0x0001_0000],
    ['USB', 0x10_0000, 0xffff_ffff],
    ['unknown 0x2_0000', 0x2_0000, 0xffff_ffff],
    ['unknown 0x1F_0000', 0x1f_0000, 0xffff_ffff],
  ] as const;
  it.each(windows)('%s window reads the constant registers', (_n, win, next) => {
    const { bus } = makeBoard();
    const r = (reg: number, size = 4) => bus.read(BDIF_BASE + win + reg, size);
    expect(r(0x000)).toBe(0x1);
    expect(r(0x004)).toBe(0x2);
    expect(r(0x008)).toBe(0x420);
    expect(r(0x010)).toBe(0x1);
    expect(r(0x400)).toBe(0x1);
    expect(r(0x408)).toBe(0xffff_ffff);
    expect(r(0x420)).toBe(next);
    expect(r(0x434)).toBe(0);
    expect(r(0x00c)).toBe(0xffff_ffff);
    expect(r(0xfffc)).toBe(0xffff_ffff);
  });

  it('reads are truncated to the access size; unknown registers are all ones at that size', () => {
    const { bus } = makeBoard();
    expect(bus.read(BDIF_BASE + 0x008, 1)).toBe(0x20);
    expect(bus.read(BDIF_BASE + 0x008, 2)).toBe(0x420);
    expect(bus.read(BDIF_BASE + 0x420, 2)).toBe(0); // 0x0800_0000 truncated
    expect(bus.read(BDIF_BASE + 0x00c, 1)).toBe(0xff);
    expect(bus.read(BDIF_BASE + 0x00e, 2)).toBe(0xffff);
    expect(bus.read(BDIF_BASE + 0x001, 1)).toBe(0xff); // inside STATUS but not its offset
    expect(bus.read64(BDIF_BASE + 0x420)).toBe(0x0800_0000n);
    expect(bus.read64(BDIF_BASE + 0x408)).toBe(0xffff_ffff_ffff_ffffn);
    expect(bus.read64(BDIF_BASE + 0x1_0000)).toBe(1n);
  });

  it('writes to registers other than CMD are ignored', () => {
    const b = makeBoard();
    for (const reg of [0x000, 0x004, 0x008, 0x010, 0x400, 0x420, 0x434, 0x500]) b.bus.write(BDIF_BASE + reg, 4, 0x7000_2000);
    expect(b.bus.read(BDIF_BASE + 0x000, 4)).toBe(1);
    expect(b.bus.read(BDIF_BASE + 0x420, 4)).toBe(0x0800_0000);
  });

  it('CMD of the USB and unknown windows is ignored', () => {
    const b = makeBoard();
    writeSectorHeader(b.bus, HDR, 0);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x200, status: STATUS });
    b.bus.write8(STATUS, 0xaa);
    b.bus.write(BDIF_BASE + 0x10_0408, 4, DESC);
    b.bus.write(BDIF_BASE + 0x2_0408, 4, DESC);
    expect(b.bus.read8(STATUS)).toBe(0xaa);
    expect(b.bus.read32(DATA)).toBe(0);
  });
});

describe('requests', () => {
  it('ROOT reads land in guest RAM exactly, with an 8-byte CMD store', () => {
    const b = makeBoard();
    writeSectorHeader(b.bus, HDR, 0x7f);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA + 3, length: 0x1234, status: STATUS });
    b.bus.write64(ROOT_CMD, BigInt(DESC));
    expect(firstDiff(guestBytes(b.bus, DATA + 3, 0x1234), b.rootImage.subarray(0x7f * 512, 0x7f * 512 + 0x1234))).toBe(-1);
    expect(b.bus.read8(DATA + 2)).toBe(0);
    expect(b.bus.read8(DATA + 3 + 0x1234)).toBe(0);
    expect(b.bus.read8(STATUS)).toBe(0);
  });

  it('reads the last bytes of the image and a 0-byte request succeeds without touching RAM', () => {
    const b = makeBoard({ rootSize: 0x10_0000 });
    writeSectorHeader(b.bus, HDR, 0x10_0000 / 512 - 1);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 512, status: STATUS });
    b.bus.write(ROOT_CMD, 4, DESC);
    expect(b.bus.read8(STATUS)).toBe(0);
    expect(firstDiff(guestBytes(b.bus, DATA, 512), b.rootImage.subarray(0x10_0000 - 512))).toBe(-1);
    writeDescriptor(b.bus, DESC, { header: HDR, data: 0x10, length: 0, status: STATUS }); // data address not RAM
    b.bus.write8(STATUS, 0xaa);
    b.bus.write(ROOT_CMD, 4, DESC);
    expect(b.bus.read8(STATUS)).toBe(0);
  });

  it('a descriptor or sector header straddling two RAM regions is fine', () => {
    const bus = new AddressSpace();
    bus.mapRam(0x1000_0000, new RamRegion('a', 0x1000));
    bus.mapRam(0x1000_1000, new RamRegion('b', 0x1000));
    const aux = new MemoryBlockBackend(image(0x4000, 5));
    const bdif = new VmappleBdif({ memory: bus, aux });
    bus.mapMmio(BDIF_BASE, bdif.region);
    const cases = [
      { desc: 0x1000_0fe8, hdr: 0x1000_1100 }, // the descriptor straddles
      { desc: 0x1000_0800, hdr: 0x1000_0ff8 }, // the sector header straddles
    ];
    for (const c of cases) {
      writeSectorHeader(bus, c.hdr, 3);
      writeDescriptor(bus, c.desc, { header: c.hdr, data: 0x1000_1400, length: 0x400, status: 0x1000_1900 });
      bus.write8(0x1000_1900, 0xaa);
      bus.write(AUX_CMD, 4, c.desc);
      expect(bus.read8(0x1000_1900)).toBe(0);
    }
    const out = new Uint8Array(0x400);
    bus.readBytes(0x1000_1400, out);
    expect(firstDiff(out, aux.bytes.subarray(3 * 512, 3 * 512 + 0x400))).toBe(-1);
  });
});

describe('error paths (§3.5)', () => {
  /** Sets up a good AUX read, applies `mutate`, runs it, returns status byte and whether DATA changed. */
  function run(mutate: (b: ReturnType<typeof makeBoard>) => void, opts?: Parameters<typeof makeBoard>[0]) {
    const b = makeBoard(opts);
    writeSectorHeader(b.bus, HDR, 4);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x400, status: STATUS });
    b.bus.write8(STATUS, 0xaa);
    mutate(b);
    const before = b.errors();
    expect(() => b.bus.write(AUX_CMD, 4, DESC)).not.toThrow();
    return { status: b.bus.read8(STATUS), dataUntouched: guestBytes(b.bus, DATA, 0x400).every((x) => x === 0), logged: b.errors() - before, b };
  }

  it('descriptor not in RAM: nothing happens (no status byte), a guest error is logged', () => {
    const b = makeBoard();
    b.bus.write8(STATUS, 0xaa);
    for (const addr of [0x10, RAM_BASE + 0x200_0000 - 0x10 /* straddles the end of RAM */]) b.bus.write(AUX_CMD, 4, addr);
    b.bus.write64(AUX_CMD, 0xffff_ffff_ffff_fff0n);
    expect(b.bus.read8(STATUS)).toBe(0xaa);
    expect(b.errors()).toBe(3);
  });

  it.each([0, 15, 17, 512])('sector-header length %i → status 1', (len) => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, headerLen: len, data: DATA, length: 0x400, status: STATUS }));
    expect(r.status).toBe(1);
    expect(r.dataUntouched).toBe(true);
    expect(r.logged).toBe(1);
  });

  it('sector header not in RAM → status 1', () => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: 0x20, data: DATA, length: 0x400, status: STATUS }));
    expect(r.status).toBe(1);
    expect(r.dataUntouched).toBe(true);
  });

  it('sector header address beyond 2^53 → status 1', () => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: 2 ** 60, data: DATA, length: 0x400, status: STATUS }));
    expect(r.status).toBe(1);
  });

  it.each([
    ['starts beyond the end', 0x2_0000 / 512],
    ['starts inside, ends beyond', 0x2_0000 / 512 - 1],
    ['sector 0xFFFF_FFFF (2 TiB)', 0xffff_ffff],
  ])('out-of-range read (%s) → status 1 and RAM untouched', (_n, sector) => {
    const r = run((b) => writeSectorHeader(b.bus, HDR, sector));
    expect(r.status).toBe(1);
    expect(r.dataUntouched).toBe(true);
    expect(r.logged).toBe(1);
  });

  it('data length above 128 MiB → status 1; exactly 128 MiB gets past the length check', () => {
    const big = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x800_0001, status: STATUS }));
    expect(big.status).toBe(1);
    expect(big.b.entries.at(-1)!.message).toMatch(/exceeds/);
    const max = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x800_0000, status: STATUS }));
    expect(max.status).toBe(1); // beyond the 128 KiB image instead
    expect(max.b.entries.at(-1)!.message).toMatch(/beyond the end/);
  });

  it('WRITE (0x00010001) is not implemented → status 1, the drive is not written', () => {
    const r = run((b) => {
      b.bus.writeBytes(DATA, new Uint8Array(0x400).fill(0x55));
      writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x400, flags: 0x0001_0001, status: STATUS });
    });
    expect(r.status).toBe(1);
    expect(firstDiff(r.b.aux.bytes, image(0x2_0000, 2))).toBe(-1);
  });

  it.each([0, 0x0003_0000, 0x0002_0001, 0xffff_ffff])('unknown data flags %s → status 1', (flags) => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x400, flags, status: STATUS }));
    expect(r.status).toBe(1);
    expect(r.dataUntouched).toBe(true);
  });

  it('data buffer not in RAM → status 1', () => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, data: RAM_BASE + 0x200_0000 - 0x100, length: 0x400, status: STATUS }));
    expect(r.status).toBe(1);
    expect(r.b.bus.read8(RAM_BASE + 0x200_0000 - 0x100)).toBe(0); // no partial write
  });

  it('status address not in RAM: the read still happens, a guest error is logged', () => {
    const r = run((b) => writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x400, status: 0x30 }));
    expect(r.dataUntouched).toBe(false);
    expect(r.logged).toBe(1);
  });

  it('no drive attached → status 1', () => {
    const b = makeBoard({ noRoot: true });
    writeSectorHeader(b.bus, HDR, 0);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x200, status: STATUS });
    b.bus.write(ROOT_CMD, 4, DESC);
    expect(b.bus.read8(STATUS)).toBe(1);
  });

  it('a back-end I/O error → status 1 and RAM untouched, even if the back-end wrote part of its buffer', () => {
    const flaky: BlockBackend = {
      size: 0x10000,
      readOnly: true,
      read: (_o, dst) => {
        dst.fill(0x77, 0, 16);
        return false;
      },
      write: () => false,
      flush: () => true,
    };
    const bus = new AddressSpace();
    bus.mapRam(RAM_BASE, new RamRegion('ram', 0x200_0000));
    const bdif = new VmappleBdif({ memory: bus, root: flaky });
    bus.mapMmio(BDIF_BASE, bdif.region);
    writeSectorHeader(bus, HDR, 0);
    writeDescriptor(bus, DESC, { header: HDR, data: DATA, length: 0x200, status: STATUS });
    bus.write(ROOT_CMD, 4, DESC);
    expect(bus.read8(STATUS)).toBe(1);
    expect(bus.read32(DATA)).toBe(0);
  });
});

describe('trace points (§3.6)', () => {
  it('bdif_read, bdif_write and bdif_vblk_read emit when enabled', () => {
    const b = makeBoard();
    const seen: string[] = [];
    b.log.addSink((e) => {
      if (e.kind === 'trace') seen.push(`${e.source}: ${e.message}`);
    });
    writeSectorHeader(b.bus, HDR, 1);
    writeDescriptor(b.bus, DESC, { header: HDR, data: DATA, length: 0x200, status: STATUS });
    b.bus.write(AUX_CMD, 4, DESC);
    expect(seen).toHaveLength(0);
    for (const tp of b.bdif.tracePoints) tp.enabled = true;
    b.bus.read(BDIF_BASE, 4);
    b.bus.write(AUX_CMD, 4, DESC);
    expect(seen).toEqual([
      'bdif_read: offset 0x0 size 4 value 0x1',
      'bdif_write: offset 0x10408 size 4 value 0x70002000',
      'bdif_vblk_read: aux buffer 0x71000000 offset 0x200 length 0x200 result 0',
    ]);
  });
});
