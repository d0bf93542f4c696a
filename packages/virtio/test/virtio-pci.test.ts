import { AddressSpace, IrqProbe, Log, type LogEntry } from '@vmapple/core-bus';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SplitQueue, type VirtioContext, type VirtioDevice, VirtioPciFunction } from '../src/index.js';
import { COMMON, GuestRam, PciDriver, STATUS } from './driver.js';

const F_INDIRECT = 1n << 28n;
const F_EVENT_IDX = 1n << 29n;
const F_VERSION_1 = 1n << 32n;
const F_TEST = 1n << 3n; // a device-specific bit of the test device

/** A test device (type 42): reverses the readable bytes into the writable buffers. */
class ReverseDevice implements VirtioDevice {
  readonly deviceType = 42;
  readonly deviceFeatures = F_TEST;
  readonly numQueues = 2;
  readonly queueMaxSize = 16;
  readonly configSize = 6;
  cfg = new Uint8Array(6);
  resets = 0;
  refuse: string | null = null;

  readConfig(offset: number, size: number): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = v * 256 + this.cfg[offset + i]!;
    return v;
  }
  writeConfig(offset: number, size: number, value: number): void {
    for (let i = 0; i < size; i++) this.cfg[offset + i] = (value >>> (8 * i)) & 0xff;
  }
  validateFeatures(): string | null {
    return this.refuse;
  }
  processQueue(ctx: VirtioContext, queue: SplitQueue): void {
    let pushed = false;
    for (let chain = queue.pop(ctx.mem); chain; chain = queue.pop(ctx.mem)) {
      const data = new Uint8Array(chain.readableLength);
      chain.readFrom(ctx.mem, 0, data);
      data.reverse();
      const n = Math.min(data.length, chain.writableLength);
      chain.writeTo(ctx.mem, 0, data.subarray(0, n));
      queue.pushUsed(ctx.mem, chain.head, n);
      pushed = true;
    }
    if (pushed) ctx.notifyUsed(queue);
  }
  reset(): void {
    this.resets++;
  }
}

function plug() {
  const g = new GuestRam();
  const pciMem = new AddressSpace({ name: 'pci-mem', unmappedValue: 'ones' });
  const intx = new IrqProbe();
  const errors: LogEntry[] = [];
  const log = new Log((e) => {
    if (e.kind === 'guest-error') errors.push(e);
  });
  const dev = new ReverseDevice();
  const fn = new VirtioPciFunction({ name: 'vtest', device: dev, log });
  fn.attach({ memory: pciMem, dma: g.mem, setIntx: (l) => intx.setLevel(l) });
  const drv = new PciDriver(fn, pciMem, g);
  return { g, pciMem, intx, errors, dev, fn, drv };
}

function ready(features = F_VERSION_1 | F_INDIRECT | F_EVENT_IDX | F_TEST) {
  const t = plug();
  t.drv.negotiate(features);
  const ring = t.drv.setupQueue(0, 8);
  t.drv.driverOk();
  return { ...t, ring };
}

function request(t: ReturnType<typeof ready>, bytes: number[], outLen = bytes.length, indirect = false) {
  const src = t.g.put(Uint8Array.from(bytes));
  const dst = t.g.alloc(outLen);
  const head = t.ring.add([{ addr: src, len: bytes.length }, { addr: dst, len: outLen, write: true }], { indirect });
  return { head, dst };
}

describe('virtio-pci transport: PCI identity and capabilities (virtio 1.2 §4.1.2, §4.1.4)', () => {
  it('has the modern-only IDs, revision 1, INTA and no MSI-X capability', () => {
    const { fn } = plug();
    expect(fn.configRead(0x00, 2)).toBe(0x1af4);
    expect(fn.configRead(0x02, 2)).toBe(0x1040 + 42);
    expect(fn.configRead(0x08, 1)).toBe(1);
    expect(fn.configRead(0x2c, 2)).toBe(0x1af4);
    expect(fn.configRead(0x2e, 2)).toBe(0x1100);
    expect(fn.configRead(0x3d, 1)).toBe(1);
    const ids: number[] = [];
    for (let at = fn.configRead(0x34, 1); at !== 0; at = fn.configRead(at + 1, 1)) ids.push(fn.configRead(at, 1));
    expect(ids).not.toContain(0x11);
    expect(ids).not.toContain(0x05);
  });

  it('exposes common, notify, ISR, device and PCI-cfg capabilities, all in one 64-bit memory BAR', () => {
    const { fn, drv } = plug();
    expect([...drv.caps.keys()].sort()).toEqual([1, 2, 3, 4, 5]);
    const bars = new Set([1, 2, 3, 4].map((t) => drv.cap(t).bar));
    expect(bars.size).toBe(1);
    const bar = [...bars][0]!;
    expect(fn.configRead(0x10 + 4 * bar, 4) & 0x7).toBe(0x4); // memory, 64-bit
    expect(drv.cap(2).multiplier).toBeGreaterThanOrEqual(2);
    expect(drv.cap(1).length).toBeGreaterThanOrEqual(0x38);
    expect(drv.cap(4).length).toBeGreaterThanOrEqual(6);
    // §4.1.4.2: structures lie within the BAR and don't overlap.
    const spans = [1, 2, 3, 4].map((t) => [drv.cap(t).offset, drv.cap(t).offset + drv.cap(t).length] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});

describe('virtio-pci transport: feature negotiation and the status machine (§2.1, §2.2, §3.1)', () => {
  it('offers VERSION_1, RING_INDIRECT_DESC, RING_EVENT_IDX and the device bits', () => {
    const { drv } = plug();
    const f = drv.deviceFeatures();
    expect(f & F_VERSION_1).toBe(F_VERSION_1);
    expect(f & F_INDIRECT).toBe(F_INDIRECT);
    expect(f & F_EVENT_IDX).toBe(F_EVENT_IDX);
    expect(f & F_TEST).toBe(F_TEST);
    drv.commonWrite(COMMON.device_feature_select, 4, 7);
    expect(drv.commonRead(COMMON.device_feature, 4)).toBe(0);
  });

  it('accepts a subset with VERSION_1 and reads the accepted features back', () => {
    const { drv, fn } = plug();
    expect(drv.negotiate(F_VERSION_1 | F_TEST)).toBe(F_VERSION_1 | F_TEST);
    expect(fn.driverFeatures).toBe(F_VERSION_1 | F_TEST);
    drv.commonWrite(COMMON.driver_feature_select, 4, 1);
    expect(drv.commonRead(COMMON.driver_feature, 4)).toBe(1);
  });

  const refusals: Array<[string, bigint]> = [
    ['without VERSION_1', F_TEST],
    ['with a feature that was not offered', F_VERSION_1 | (1n << 7n)],
  ];
  for (const [name, f] of refusals) {
    it(`clears FEATURES_OK ${name}`, () => {
      const { drv, errors } = plug();
      drv.setStatus(STATUS.ACKNOWLEDGE | STATUS.DRIVER);
      drv.writeDriverFeatures(f);
      drv.setStatus(STATUS.ACKNOWLEDGE | STATUS.DRIVER | STATUS.FEATURES_OK);
      expect(drv.status()).toBe(STATUS.ACKNOWLEDGE | STATUS.DRIVER);
      expect(errors.some((e) => /FEATURES_OK refused/.test(e.message))).toBe(true);
    });
  }

  it('lets the device refuse a feature combination', () => {
    const { drv, dev } = plug();
    dev.refuse = 'no thanks';
    expect(() => drv.negotiate(F_VERSION_1)).toThrow(/refused/);
  });

  it('ignores driver feature writes after FEATURES_OK', () => {
    const { drv, fn, errors } = plug();
    drv.negotiate(F_VERSION_1);
    drv.commonWrite(COMMON.driver_feature_select, 4, 0);
    drv.commonWrite(COMMON.driver_feature, 4, Number(F_TEST));
    expect(fn.driverFeatures).toBe(F_VERSION_1);
    expect(errors.length).toBe(1);
  });

  it('resets on a status write of 0: status, features, queues and ISR cleared, device reset', () => {
    const t = ready();
    request(t, [1, 2, 3]);
    t.drv.kick(0);
    expect(t.intx.level).toBe(true);
    const resetsBefore = t.dev.resets;
    t.drv.setStatus(0);
    expect(t.drv.status()).toBe(0);
    expect(t.fn.driverFeatures).toBe(0n);
    expect(t.intx.level).toBe(false);
    expect(t.dev.resets).toBe(resetsBefore + 1);
    t.drv.commonWrite(COMMON.queue_select, 2, 0);
    expect(t.drv.commonRead(COMMON.queue_enable, 2)).toBe(0);
    expect(t.drv.commonRead(COMMON.queue_size, 2)).toBe(16);
    expect(t.drv.commonRead(COMMON.queue_desc, 4)).toBe(0);
  });

  it('reads NO_VECTOR (0xffff) from every MSI-X vector field, even after writes', () => {
    const { drv } = plug();
    drv.commonWrite(COMMON.config_msix_vector, 2, 0);
    drv.commonWrite(COMMON.queue_select, 2, 1);
    drv.commonWrite(COMMON.queue_msix_vector, 2, 1);
    expect(drv.commonRead(COMMON.config_msix_vector, 2)).toBe(0xffff);
    expect(drv.commonRead(COMMON.queue_msix_vector, 2)).toBe(0xffff);
  });

  it('reports queue count, maximum size, notify offsets, and 0 size for a missing queue', () => {
    const { drv } = plug();
    expect(drv.commonRead(COMMON.num_queues, 2)).toBe(2);
    drv.commonWrite(COMMON.queue_select, 2, 1);
    expect(drv.commonRead(COMMON.queue_size, 2)).toBe(16);
    expect(drv.commonRead(COMMON.queue_notify_off, 2)).toBe(1);
    drv.commonWrite(COMMON.queue_select, 2, 2);
    expect(drv.commonRead(COMMON.queue_size, 2)).toBe(0);
  });

  it('keeps queue registers fixed while the queue is enabled, and refuses a non-power-of-two size', () => {
    const t = ready();
    t.drv.commonWrite(COMMON.queue_select, 2, 0);
    t.drv.commonWrite(COMMON.queue_size, 2, 4);
    expect(t.drv.commonRead(COMMON.queue_size, 2)).toBe(8);
    t.drv.commonWrite(COMMON.queue_select, 2, 1);
    t.drv.commonWrite(COMMON.queue_size, 2, 6);
    t.drv.commonWrite(COMMON.queue_enable, 2, 1);
    expect(t.drv.commonRead(COMMON.queue_enable, 2)).toBe(0);
    expect(t.errors.length).toBe(2);
  });

  it('ignores accesses of the wrong width to common config fields', () => {
    const { drv, errors } = plug();
    drv.commonWrite(COMMON.queue_select, 1, 1);
    drv.commonWrite(COMMON.device_feature_select, 2, 1);
    expect(drv.commonRead(COMMON.queue_select, 2)).toBe(0);
    expect(drv.commonRead(COMMON.device_feature_select, 4)).toBe(0);
    expect(errors.length).toBe(2);
  });
});

describe('virtio-pci transport: queues and interrupts (§2.7, §4.1.4.5)', () => {
  for (const indirect of [false, true]) {
    it(`processes a chain on notification and raises INTx with ISR bit 0 (${indirect ? 'indirect' : 'direct'})`, () => {
      const t = ready();
      const { head, dst } = request(t, [1, 2, 3, 4], 4, indirect);
      expect(t.intx.level).toBe(false);
      t.drv.kick(0);
      expect(t.ring.takeUsed()).toEqual([{ id: head, len: 4 }]);
      expect([...t.g.get(dst, 4)]).toEqual([4, 3, 2, 1]);
      expect(t.intx.level).toBe(true);
      expect(t.fn.configRead(0x06, 2) & 0x8).toBe(0x8); // PCI interrupt status
      expect(t.drv.readIsr()).toBe(1);
      expect(t.intx.level).toBe(false);
      expect(t.drv.readIsr()).toBe(0);
    });
  }

  it('does not touch the queues before DRIVER_OK', () => {
    const t = plug();
    t.drv.negotiate(F_VERSION_1);
    const ring = t.drv.setupQueue(0, 8);
    ring.add([{ addr: t.g.alloc(4), len: 4 }]);
    t.drv.kick(0);
    expect(ring.usedIdx()).toBe(0);
    expect(t.intx.level).toBe(false);
  });

  it('suppresses the interrupt with VIRTQ_AVAIL_F_NO_INTERRUPT (no EVENT_IDX)', () => {
    const t = ready(F_VERSION_1);
    t.ring.setAvailFlags(1);
    request(t, [1]);
    t.drv.kick(0);
    expect(t.ring.takeUsed().length).toBe(1);
    expect(t.intx.level).toBe(false);
  });

  it('follows used_event with EVENT_IDX and publishes avail_event', () => {
    const t = ready();
    t.ring.setUsedEvent(5); // interrupt only once used idx passes 5
    request(t, [1]);
    t.drv.kick(0);
    expect(t.intx.rises).toBe(1); // the first notification is always sent
    t.drv.readIsr();
    for (let i = 0; i < 4; i++) {
      request(t, [i]);
      t.drv.kick(0);
      t.ring.takeUsed();
    }
    expect(t.ring.usedIdx()).toBe(5);
    expect(t.intx.rises).toBe(1);
    request(t, [9]);
    t.drv.kick(0);
    expect(t.ring.usedIdx()).toBe(6);
    expect(t.intx.rises).toBe(2);
    expect(t.ring.availEvent()).toBe(6);
  });

  it('keeps INTx low while the command register disables it', () => {
    const t = ready();
    t.fn.configWrite(0x04, 2, t.fn.configRead(0x04, 2) | 0x400);
    request(t, [1]);
    t.drv.kick(0);
    expect(t.intx.level).toBe(false);
    t.fn.configWrite(0x04, 2, t.fn.configRead(0x04, 2) & ~0x400);
    expect(t.intx.level).toBe(true);
  });

  it('sets DEVICE_NEEDS_RESET with a configuration interrupt on a broken ring, and stops', () => {
    const t = ready();
    t.ring.writeDesc(0, t.g.alloc(4), 4, 1, 0); // descriptor 0 chains to itself
    t.ring.pushAvail(0);
    t.drv.kick(0);
    expect(t.drv.status() & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    expect(t.drv.readIsr()).toBe(3); // bit 1, plus bit 0 as QEMU sets it
    expect(t.errors.some((e) => /needs reset/.test(e.message))).toBe(true);
    expect(t.ring.usedIdx()).toBe(0);
    // The driver cannot clear it except by reset.
    t.drv.setStatus(t.drv.status() & ~STATUS.DEVICE_NEEDS_RESET);
    expect(t.drv.status() & STATUS.DEVICE_NEEDS_RESET).toBe(STATUS.DEVICE_NEEDS_RESET);
    t.drv.setStatus(0);
    expect(t.drv.status()).toBe(0);
  });

  it('cannot reach guest memory without bus mastering: the ring fails and the device needs reset', () => {
    const t = ready();
    t.fn.configWrite(0x04, 2, t.fn.configRead(0x04, 2) & ~0x4);
    const { dst } = request(t, [1, 2]);
    t.drv.kick(0);
    expect([...t.g.get(dst, 2)]).toEqual([0, 0]);
    expect(t.drv.status() & STATUS.DEVICE_NEEDS_RESET).toBeTruthy();
  });

  it('stops after the driver sets FAILED', () => {
    const t = ready();
    t.drv.setStatus(t.drv.status() | STATUS.FAILED);
    request(t, [1]);
    t.drv.kick(0);
    expect(t.ring.usedIdx()).toBe(0);
  });

  it('logs notifications for queues that do not exist', () => {
    const t = ready();
    t.pciMem.write(t.drv.barBase + t.drv.cap(2).offset + 40 * t.drv.cap(2).multiplier!, 2, 40);
    expect(t.errors.some((e) => /queue 40/.test(e.message))).toBe(true);
  });

  it('bumps config_generation and sends a configuration interrupt on configChanged', () => {
    const t = ready();
    const gen = t.drv.commonRead(COMMON.config_generation, 1);
    t.fn.configChanged();
    expect(t.drv.commonRead(COMMON.config_generation, 1)).toBe((gen + 1) & 0xff);
    expect(t.drv.readIsr()).toBe(3); // bit 1, plus bit 0 as QEMU sets it
  });
});

describe('virtio-pci transport: device config, PCI cfg access and snapshots', () => {
  it('passes device config accesses through; an access reaching past its end reads all ones (as QEMU)', () => {
    const t = plug();
    t.drv.deviceWrite(0, 4, 0x11223344);
    expect(t.drv.deviceRead(0, 2)).toBe(0x3344);
    expect(t.drv.deviceRead(4, 2)).toBe(0);
    expect(t.drv.deviceRead(4, 4)).toBe(0xffff_ffff);
    expect(t.drv.deviceRead(6, 1)).toBe(0xff);
    t.drv.deviceWrite(8, 4, 1);
    expect(t.errors.length).toBe(1);
  });

  it('reaches the BAR through the VIRTIO_PCI_CAP_PCI_CFG window (§4.1.4.9)', () => {
    const t = plug();
    const cap = t.drv.cap(5).at;
    const common = t.drv.cap(1);
    t.fn.configWrite(cap + 4, 1, common.bar);
    t.fn.configWrite(cap + 8, 4, common.offset + COMMON.num_queues);
    t.fn.configWrite(cap + 12, 4, 2);
    expect(t.fn.configRead(cap + 16, 2)).toBe(2);
    t.fn.configWrite(cap + 8, 4, common.offset + COMMON.device_status);
    t.fn.configWrite(cap + 12, 4, 1);
    t.fn.configWrite(cap + 16, 1, STATUS.ACKNOWLEDGE);
    expect(t.drv.status()).toBe(STATUS.ACKNOWLEDGE);
  });

  it('restores a snapshot mid-stream and carries on', () => {
    const t = ready();
    request(t, [1, 2]);
    t.drv.kick(0);
    t.ring.takeUsed();
    const saved = JSON.parse(JSON.stringify(t.fn.saveState()));
    const ramCopy = t.g.ram.bytes.slice();
    // A second function restored from the snapshot, over a copy of RAM.
    const u = plug();
    u.g.ram.bytes.set(ramCopy);
    u.fn.restoreState(saved);
    expect(u.fn.deviceStatus).toBe(t.fn.deviceStatus);
    expect(u.fn.driverFeatures).toBe(t.fn.driverFeatures);
    const src = u.g.alloc(2);
    u.g.mem.writeBytes(src, Uint8Array.of(7, 8));
    const dst = u.g.alloc(2);
    t.ring.writeDesc(3, src, 2, 1, 4);
    // Use raw ring writes into the restored RAM (the ring layout is shared).
    u.g.mem.writeBytes(t.ring.desc + 16 * 3, t.g.get(t.ring.desc + 16 * 3, 16));
    u.g.mem.write32(t.ring.desc + 16 * 4, dst);
    u.g.mem.write32(t.ring.desc + 16 * 4 + 4, 0);
    u.g.mem.write32(t.ring.desc + 16 * 4 + 8, 2);
    u.g.mem.write16(t.ring.desc + 16 * 4 + 12, 2);
    u.g.mem.write16(t.ring.avail + 4 + 2 * 1, 3);
    u.g.mem.write16(t.ring.avail + 2, 2);
    u.pciMem.write(u.drv.barBase + u.drv.cap(2).offset, 2, 0);
    expect(u.g.mem.read16(t.ring.used + 2)).toBe(2);
    expect([...u.g.get(dst, 2)]).toEqual([8, 7]);
  });

  it('never throws on random BAR and config-space traffic (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            where: fc.constantFrom('bar', 'cfg'),
            off: fc.integer({ min: 0, max: 0x3fff }),
            size: fc.constantFrom(1, 2, 4),
            value: fc.integer({ min: 0, max: 0xffff_ffff }),
            write: fc.boolean(),
          }),
          { maxLength: 200 },
        ),
        (ops) => {
          const t = ready();
          for (const op of ops) {
            const off = op.off - (op.off % op.size);
            if (op.where === 'bar') {
              if (op.write) t.pciMem.write(t.drv.barBase + off, op.size, op.value);
              else t.pciMem.read(t.drv.barBase + off, op.size);
            } else if (op.write) {
              // Keep the BAR where the driver put it; everything else is fair game.
              if (off >= 0x10 && off < 0x28) continue;
              t.fn.configWrite(off & 0xfff, op.size, op.value);
            } else t.fn.configRead(off & 0xfff, op.size);
          }
        },
      ),
      { numRuns: 100 },
    );
  }, 60_000);
});
