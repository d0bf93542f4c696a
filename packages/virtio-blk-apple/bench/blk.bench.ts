import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AddressSpace, type BlockBackend, MemoryBlockBackend } from '@vmapple/core-bus';
import { FileBlockBackend } from '@vmapple/core-bus/node';
import { afterAll, bench, describe } from 'vitest';
import { VirtioBlkPci } from '../src/index.js';
import { GuestRam, PciDriver } from '../../virtio/test/driver.js';

// Device-side throughput of virtio-blk reads (no guest CPU): requests are
// built once in guest RAM and re-submitted; each iteration moves 1 MiB, so
// the reported hz is MiB/s. Baselines in the same process: a plain
// Uint8Array.set copy, and the file backend read into one flat buffer.
//  - "contiguous": 64 KiB requests, one data buffer each (header + data + status).
//  - "scattered": 1 MiB requests over 256 separate 4 KiB pages through an
//    indirect table, as Linux sends page-cache reads whose pages are not
//    physically adjacent (ext4 file reads hit seg_max this way).
const MiB = 1 << 20;
const IMAGE = 32 * MiB;
const PAGE = 4096;
const OPTS = { time: 2000, warmupTime: 500 };

const image = new Uint8Array(IMAGE);
for (let i = 0; i < IMAGE; i += 4096) image[i] = i >>> 12;
const dir = mkdtempSync(join(tmpdir(), 'vmapple-blk-bench-'));
const imagePath = join(dir, 'disk.img');
writeFileSync(imagePath, randomFillSync(new Uint8Array(IMAGE)));
const file = new FileBlockBackend(imagePath, true);
afterAll(() => {
  file.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Rig {
  /** Submits one request for the next chunk and checks its completion. */
  request(): void;
  /** Bytes per request. */
  chunk: number;
}

function rig(backend: BlockBackend, layout: 'contiguous' | 'scattered'): Rig {
  const g = new GuestRam(0x4000_0000, 1 << 23);
  const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  const fn = new VirtioBlkPci({ backend, variant: 'root' });
  fn.attach({ memory: pciMem, dma: g.mem, setIntx: () => {} });
  const drv = new PciDriver(fn, pciMem, g);
  drv.negotiate((1n << 64n) - 1n);
  const ring = drv.setupQueue(0, 256);
  drv.driverOk();
  const hdr = g.alloc(16);
  const status = g.alloc(1);
  let chunk: number;
  if (layout === 'contiguous') {
    chunk = 64 * 1024;
    const data = g.alloc(chunk, 4096);
    ring.writeDesc(0, hdr, 16, 1, 1);
    ring.writeDesc(1, data, chunk, 2 | 1, 2);
    ring.writeDesc(2, status, 1, 2, 0);
  } else {
    chunk = MiB;
    const pages = chunk / PAGE;
    const table = g.alloc(16 * (pages + 2), 16);
    ring.writeDesc(0, hdr, 16, 1, 1, table);
    for (let i = 0; i < pages; i++) {
      const page = g.alloc(2 * PAGE, PAGE); // every other page: never physically adjacent
      ring.writeDesc(1 + i, page, PAGE, 2 | 1, 2 + i, table);
    }
    ring.writeDesc(1 + pages, status, 1, 2, 0, table);
    ring.writeDesc(0, table, 16 * (pages + 2), 4, 0);
  }
  const notifyAddr = drv.barBase + drv.cap(2).offset;
  let pos = 0;
  let used = 0;
  return {
    chunk,
    request() {
      g.mem.write32(hdr, 0); // VIRTIO_BLK_T_IN
      g.mem.write32(hdr + 8, pos / 512);
      g.mem.write32(hdr + 12, 0);
      g.mem.write8(status, 0xff);
      ring.pushAvail(0);
      pciMem.write(notifyAddr, 2, 0);
      drv.readIsr();
      used = (used + 1) & 0xffff;
      if (g.mem.read8(status) !== 0 || ring.usedIdx() !== used) throw new Error(`virtio-blk bench: read at ${pos} failed`);
      pos = (pos + chunk) % IMAGE;
    },
  };
}

function perMiB(r: Rig): () => void {
  const n = MiB / r.chunk;
  return () => {
    for (let i = 0; i < n; i++) r.request();
  };
}

const contiguousMem = rig(new MemoryBlockBackend(image), 'contiguous');
const scatteredMem = rig(new MemoryBlockBackend(image), 'scattered');
const contiguousFile = rig(file, 'contiguous');
const scatteredFile = rig(file, 'scattered');
for (const r of [contiguousMem, scatteredMem, contiguousFile, scatteredFile]) r.request(); // the path works before timing it

const dst = new Uint8Array(MiB);
let cpos = 0;
function copyMiB(): void {
  dst.set(image.subarray(cpos, cpos + MiB));
  cpos = (cpos + MiB) % IMAGE;
}
let fpos = 0;
function fileMiB(): void {
  if (!file.read(fpos, dst)) throw new Error('file read failed');
  fpos = (fpos + MiB) % IMAGE;
}

describe('virtio-blk reads, in-memory disk (1 MiB per iteration: hz = MiB/s)', () => {
  bench('64 KiB requests, contiguous buffers', perMiB(contiguousMem), OPTS);
  bench('1 MiB requests over 256 scattered 4 KiB pages', perMiB(scatteredMem), OPTS);
  bench('baseline: plain Uint8Array.set copy', copyMiB, OPTS);
});

describe('virtio-blk reads, file disk (page-cached; 1 MiB per iteration: hz = MiB/s)', () => {
  bench('64 KiB requests, contiguous buffers', perMiB(contiguousFile), OPTS);
  bench('1 MiB requests over 256 scattered 4 KiB pages', perMiB(scatteredFile), OPTS);
  bench('baseline: FileBlockBackend.read of 1 MiB into one buffer', fileMiB, OPTS);
});
