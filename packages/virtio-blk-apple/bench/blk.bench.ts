import { AddressSpace, MemoryBlockBackend } from '@vmapple/core-bus';
import { bench, describe } from 'vitest';
import { VirtioBlkPci } from '../src/index.js';
import { GuestRam, PciDriver } from '../../virtio/test/driver.js';

// Sequential 64 KiB reads through the virtqueue (header + data + status
// chain, notify through the BAR, used ring consumed), against a plain
// Uint8Array.set copy of the same bytes. Each iteration moves 1 MiB, so the
// reported hz is MiB/s.
const CHUNK = 64 * 1024;
const PER_ITER = 16;
const IMAGE = 32 * 1024 * 1024;

const image = new Uint8Array(IMAGE);
for (let i = 0; i < IMAGE; i += 4096) image[i] = i >>> 12;
const backend = new MemoryBlockBackend(image);
const g = new GuestRam(0x4000_0000, 1 << 22);
const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
const fn = new VirtioBlkPci({ backend, variant: 'root' });
fn.attach({ memory: pciMem, dma: g.mem, setIntx: () => {} });
const drv = new PciDriver(fn, pciMem, g);
drv.negotiate((1n << 64n) - 1n);
const ring = drv.setupQueue(0, 256);
drv.driverOk();
const hdr = g.alloc(16);
const data = g.alloc(CHUNK, 4096);
const status = g.alloc(1);
ring.writeDesc(0, hdr, 16, 1, 1);
ring.writeDesc(1, data, CHUNK, 2 | 1, 2);
ring.writeDesc(2, status, 1, 2, 0);
const notifyAddr = drv.barBase + drv.cap(2).offset;
let pos = 0;
let _isr = 0;

function readChunk(): void {
  g.mem.write32(hdr, 0); // VIRTIO_BLK_T_IN
  g.mem.write32(hdr + 8, pos / 512);
  g.mem.write32(hdr + 12, 0);
  ring.pushAvail(0);
  pciMem.write(notifyAddr, 2, 0);
  _isr |= drv.readIsr();
  pos = (pos + CHUNK) % IMAGE;
}

const dst = new Uint8Array(CHUNK);
let cpos = 0;
function copyChunk(): void {
  dst.set(image.subarray(cpos, cpos + CHUNK));
  cpos = (cpos + CHUNK) % IMAGE;
}

const OPTS = { time: 2000, warmupTime: 500 };

// Sanity: the path works before timing it.
readChunk();
if (g.mem.read8(status) !== 0 || ring.usedIdx() !== 1) throw new Error('virtio-blk bench: first read failed');

describe('virtio-blk sequential 64 KiB reads (1 MiB per iteration: hz = MiB/s)', () => {
  bench('through the virtqueue (MemoryBlockBackend)', () => {
    for (let i = 0; i < PER_ITER; i++) readChunk();
  }, OPTS);
  bench('plain Uint8Array.set copy', () => {
    for (let i = 0; i < PER_ITER; i++) copyChunk();
  }, OPTS);
});
