// Oracle: QEMU 7.2's own virtio-blk-pci (modern only, no MSI-X vectors, as
// on vmapple), driven over qtest by the same driver script as our standard
// model. Every observation the script makes must match; feature words are
// compared on the bits this package implements, config space on the fields it
// advertises.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlockBackend } from '@vmapple/core-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dwzSegment, header, randomBytes, T } from './blk-driver.js';
import { type Bus, ModelBus, QemuBus, VIRT } from './qtest.js';

const IMAGE_SIZE = 1 << 20;
const SERIAL = 'oracle-serial';
/** Feature bits this package implements (virtio 1.2 §5.2.3, §6). */
const IMPLEMENTED = [2, 5, 6, 9, 10, 13, 14, 28, 29, 32].reduce((m, b) => m | (1n << BigInt(b)), 0n);

interface Req {
  name: string;
  type: number;
  sector?: number;
  out?: Uint8Array;
  inLens?: number[];
  splitHeader?: boolean;
}

const REQUESTS: Req[] = [
  { name: 'IN 2 sectors over two buffers', type: T.IN, sector: 1, inLens: [512, 512] },
  { name: 'OUT 2 sectors', type: T.OUT, sector: 8, out: randomBytes(1024, 42) },
  { name: 'IN what was written', type: T.IN, sector: 8, inLens: [1024] },
  { name: 'FLUSH', type: T.FLUSH },
  { name: 'GET_ID', type: T.GET_ID, inLens: [20] },
  { name: 'unknown type 0xff', type: 0xff, inLens: [8] },
  { name: 'IN past the end', type: T.IN, sector: IMAGE_SIZE / 512, inLens: [512] },
  { name: 'IN straddling the end', type: T.IN, sector: IMAGE_SIZE / 512 - 1, inLens: [1024] },
  { name: 'DISCARD with UNMAP', type: T.DISCARD, out: dwzSegment(0, 8, 1) },
  { name: 'DISCARD', type: T.DISCARD, out: dwzSegment(0, 8, 0) },
  { name: 'WRITE_ZEROES', type: T.WRITE_ZEROES, out: dwzSegment(16, 8, 0) },
  { name: 'WRITE_ZEROES with UNMAP', type: T.WRITE_ZEROES, out: dwzSegment(32, 8, 1) },
  { name: 'WRITE_ZEROES unknown flag', type: T.WRITE_ZEROES, out: dwzSegment(32, 8, 2) },
  { name: 'IN the zeroed range', type: T.IN, sector: 16, inLens: [4096] },
  { name: 'OUT of a partial sector', type: T.OUT, sector: 40, out: randomBytes(100, 1) },
  { name: 'APPLE_BARRIER on the standard device', type: T.APPLE_BARRIER },
  { name: 'IN with the header split over two buffers', type: T.IN, sector: 3, inLens: [512], splitHeader: true },
];

const cfg = (reg: number) => VIRT.ecam + 0x8000 + reg;

function desc(addr: number, len: number, flags: number, next: number): Uint8Array {
  const d = new Uint8Array(16);
  const v = new DataView(d.buffer);
  v.setUint32(0, addr, true);
  v.setUint32(8, len, true);
  v.setUint16(12, flags, true);
  v.setUint16(14, next, true);
  return d;
}

/** The driver script: everything it observes goes into the returned record. */
async function probe(bus: Bus): Promise<Record<string, unknown>> {
  const obs: Record<string, unknown> = {};
  const header32: number[] = [];
  for (let r = 0; r < 0x40; r += 4) header32.push(await bus.read(cfg(r), 4));
  obs.header = header32.map((x) => x.toString(16));
  // Capability list.
  const caps: Array<Record<string, number>> = [];
  let common: Record<string, number> | undefined;
  let notify: Record<string, number> | undefined;
  let isr: Record<string, number> | undefined;
  let device: Record<string, number> | undefined;
  for (let at = (await bus.read(cfg(0x34), 1)) & 0xfc, n = 0; at !== 0 && n < 48; n++) {
    const id = await bus.read(cfg(at), 1);
    const cap: Record<string, number> = { at, id };
    if (id === 9) {
      cap.len = await bus.read(cfg(at + 2), 1);
      cap.type = await bus.read(cfg(at + 3), 1);
      cap.bar = await bus.read(cfg(at + 4), 1);
      cap.offset = await bus.read(cfg(at + 8), 4);
      cap.length = await bus.read(cfg(at + 12), 4);
      if (cap.len >= 20) cap.extra = await bus.read(cfg(at + 16), 4);
      if (cap.type === 1) common ??= cap;
      if (cap.type === 2) notify ??= cap;
      if (cap.type === 3) isr ??= cap;
      if (cap.type === 4) device ??= cap;
    }
    caps.push(cap);
    at = (await bus.read(cfg(at + 1), 1)) & 0xfc;
  }
  obs.caps = caps;
  if (!common || !notify || !isr || !device) return obs;
  // Place the (64-bit) BAR and enable memory decoding and bus mastering.
  await bus.write(cfg(0x10 + 4 * common.bar!), 4, VIRT.pciMem);
  await bus.write(cfg(0x14 + 4 * common.bar!), 4, 0);
  await bus.write(cfg(0x04), 2, 0x6);
  const base = VIRT.pciMem;
  const c = (off: number) => base + common!.offset! + off;
  const feat: number[] = [];
  for (const sel of [0, 1]) {
    await bus.write(c(0x00), 4, sel);
    feat.push(await bus.read(c(0x04), 4));
  }
  const offered = (BigInt(feat[1]!) << 32n) | BigInt(feat[0]!);
  obs.features = (offered & IMPLEMENTED).toString(16);
  obs.common = {
    msix: await bus.read(c(0x10), 2),
    numQueues: await bus.read(c(0x12), 2),
    status: await bus.read(c(0x14), 1),
    queueSize: await bus.read(c(0x18), 2),
    queueMsix: await bus.read(c(0x1a), 2),
    queueEnable: await bus.read(c(0x1c), 2),
    notifyOff: await bus.read(c(0x1e), 2),
  };
  const config: number[] = [];
  for (let off = 0; off < 0x3c; off += 4) config.push(await bus.read(base + device.offset! + off, 4));
  // geometry (0x10) and writeback (0x20) belong to features this package does not offer.
  obs.config = config.map((x, i) => (i === 4 || i === 8 ? 'n/a' : x.toString(16)));
  // Byte and word reads around the end of the config space, and past it.
  const edge: number[] = [];
  for (let off = 0x34; off < 0x44; off++) edge.push(await bus.read(base + device.offset! + off, 1));
  for (const off of [0x36, 0x38, 0x3a, 0x3c]) edge.push(await bus.read(base + device.offset! + off, 2));
  obs.configEdge = edge;
  // FEATURES_OK without VERSION_1.
  const setStatus = (v: number) => bus.write(c(0x14), 1, v);
  await setStatus(0);
  await setStatus(3);
  await bus.write(c(0x08), 4, 0);
  await bus.write(c(0x0c), 4, 1 << 9);
  await bus.write(c(0x08), 4, 1);
  await bus.write(c(0x0c), 4, 0);
  await setStatus(3 | 8);
  obs.statusWithoutVersion1 = await bus.read(c(0x14), 1);
  await setStatus(0);
  obs.statusAfterReset = await bus.read(c(0x14), 1);
  // Proper negotiation.
  await setStatus(1);
  await setStatus(3);
  const want = offered & IMPLEMENTED;
  await bus.write(c(0x08), 4, 0);
  await bus.write(c(0x0c), 4, Number(want & 0xffff_ffffn));
  await bus.write(c(0x08), 4, 1);
  await bus.write(c(0x0c), 4, Number(want >> 32n));
  await setStatus(11);
  obs.statusFeaturesOk = await bus.read(c(0x14), 1);
  // Queue 0 with 16 entries.
  const Q = 16;
  const ring = VIRT.ram + 0x10_0000;
  const descT = ring, avail = ring + 0x1000, used = ring + 0x2000;
  await bus.write(c(0x16), 2, 0);
  await bus.write(c(0x18), 2, Q);
  for (const [off, addr] of [[0x20, descT], [0x28, avail], [0x30, used]] as const) {
    await bus.write(c(off), 4, addr);
    await bus.write(c(off + 4), 4, 0);
  }
  await bus.write(c(0x1c), 2, 1);
  await setStatus(15);
  obs.statusDriverOk = await bus.read(c(0x14), 1);
  const results: Array<Record<string, unknown>> = [];
  let data = VIRT.ram + 0x20_0000;
  let availIdx = 0;
  for (const r of REQUESTS) {
    const chain: Array<[number, number, number]> = [];
    const h = header(r.type, r.sector ?? 0);
    const ha = data;
    await bus.writeBytes(ha, h);
    data += 0x100;
    if (r.splitHeader) chain.push([ha, 8, 0], [ha + 8, 8, 0]);
    else chain.push([ha, 16, 0]);
    if (r.out) {
      await bus.writeBytes(data, r.out);
      chain.push([data, r.out.length, 0]);
      data += (r.out.length + 0xff) & ~0xff;
    }
    const ins: Array<[number, number]> = [];
    for (const n of r.inLens ?? []) {
      await bus.writeBytes(data, new Uint8Array(n).fill(0xcc));
      chain.push([data, n, 2]);
      ins.push([data, n]);
      data += (n + 0xff) & ~0xff;
    }
    const st = data;
    await bus.write(st, 1, 0xee);
    chain.push([st, 1, 2]);
    data += 0x100;
    for (let i = 0; i < chain.length; i++) {
      const [a, l, f] = chain[i]!;
      await bus.writeBytes(descT + 16 * i, desc(a, l, f | (i + 1 < chain.length ? 1 : 0), i + 1));
    }
    await bus.write(avail + 4 + 2 * (availIdx % Q), 2, 0);
    availIdx++;
    await bus.write(avail + 2, 2, availIdx);
    await bus.write(base + notify.offset! + 0 * notify.extra!, 2, 0);
    let usedIdx = 0;
    for (let tries = 0; tries < 2500; tries++) {
      usedIdx = await bus.read(used + 2, 2);
      if (usedIdx === availIdx) break;
      await new Promise((res) => setTimeout(res, 2));
    }
    const slot = used + 4 + 8 * ((availIdx - 1) % Q);
    const out: Record<string, unknown> = {
      name: r.name,
      completed: usedIdx === availIdx,
      id: await bus.read(slot, 4),
      status: await bus.read(st, 1),
    };
    const bytes: number[] = [];
    for (const [a, n] of ins) bytes.push(...(await bus.readBytes(a, n)));
    out.dataIn = Buffer.from(bytes).toString('hex');
    out.isr = await bus.read(base + isr.offset!, 1);
    out.isrAgain = await bus.read(base + isr.offset!, 1);
    out.usedLen = await bus.read(slot + 4, 4);
    results.push(out);
  }
  obs.requests = results;
  return obs;
}

let dir = '';
let qemu: Record<string, unknown> = {};
let model: Record<string, unknown> = {};
let qemuImage: Uint8Array = new Uint8Array(0);
let modelImage: Uint8Array = new Uint8Array(0);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'virtio-blk-oracle-'));
  const image = randomBytes(IMAGE_SIZE, 1234);
  const path = join(dir, 'disk.img');
  writeFileSync(path, image);
  const q = new QemuBus(path, `disable-legacy=on,vectors=0,num-queues=1,queue-size=256,serial=${SERIAL}`);
  try {
    qemu = await probe(q);
  } finally {
    await q.close();
  }
  qemuImage = new Uint8Array(readFileSync(path));
  const backend = new MemoryBlockBackend(image.slice());
  const m = new ModelBus(backend, { model: 'standard', serial: SERIAL });
  model = await probe(m);
  modelImage = backend.bytes;
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("QEMU's virtio-blk-pci as oracle (standard model)", () => {
  it('PCI header', () => expect(model.header).toEqual(qemu.header));
  it('capability list: types, BAR, offsets, lengths, notify multiplier', () => expect(model.caps).toEqual(qemu.caps));
  it('offered features (implemented bits)', () => expect(model.features).toEqual(qemu.features));
  it('common configuration after reset', () => expect(model.common).toEqual(qemu.common));
  it('device configuration', () => expect(model.config).toEqual(qemu.config));
  it('device configuration edge and past its end', () => expect(model.configEdge).toEqual(qemu.configEdge));
  it('status machine: reset, negotiation, DRIVER_OK', () => {
    for (const k of ['statusAfterReset', 'statusFeaturesOk', 'statusDriverOk']) expect([k, model[k]]).toEqual([k, qemu[k]]);
  });
  it('FEATURES_OK without VERSION_1: QEMU 7.2 accepts it, we refuse it (deliberate; the spec lets a device refuse)', () => {
    expect(qemu.statusWithoutVersion1).toBe(3 | 8);
    expect(model.statusWithoutVersion1).toBe(3);
  });
  const n = REQUESTS.length;
  for (let i = 0; i < n; i++) {
    it(`request: ${REQUESTS[i]!.name}`, () => {
      const q = (qemu.requests as unknown[])[i];
      expect((q as { completed: boolean }).completed).toBe(true);
      expect((model.requests as unknown[])[i]).toEqual(q);
    });
  }
  it('the disk image afterwards', () => {
    expect(Buffer.compare(Buffer.from(modelImage), Buffer.from(qemuImage))).toBe(0);
  });
});
