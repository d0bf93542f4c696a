import { describe, expect, it } from 'vitest';
import { SplitQueue } from '../src/index.js';
import { GuestRam, RingDriver } from './driver.js';

function setup(size = 8, opts: { indirect?: boolean; eventIdx?: boolean } = {}) {
  const g = new GuestRam();
  const ring = new RingDriver(g, size);
  const q = new SplitQueue(0, size);
  q.descAddr = ring.desc;
  q.driverAddr = ring.avail;
  q.deviceAddr = ring.used;
  q.indirect = opts.indirect ?? true;
  q.eventIdx = opts.eventIdx ?? false;
  expect(q.checkLayout()).toBeNull();
  q.ready = true;
  return { g, ring, q };
}

/** The spec's vring_need_event test (virtio 1.2 §2.7.10), written out independently. */
function specNeedEvent(event: number, now: number, old: number): boolean {
  return ((now - event - 1) & 0xffff) < ((now - old) & 0xffff);
}

describe('SplitQueue: descriptor chains', () => {
  it('pops a direct chain with readable then writable buffers, in order', () => {
    const { g, ring, q } = setup();
    const a = g.alloc(16), b = g.alloc(100), c = g.alloc(1);
    const head = ring.add([{ addr: a, len: 16 }, { addr: b, len: 100, write: true }, { addr: c, len: 1, write: true }]);
    const chain = q.pop(g.mem)!;
    expect(chain.head).toBe(head);
    expect(chain.readable).toEqual([{ addr: a, len: 16 }]);
    expect(chain.writable).toEqual([{ addr: b, len: 100 }, { addr: c, len: 1 }]);
    expect(chain.readableLength).toBe(16);
    expect(chain.writableLength).toBe(101);
    expect(q.pop(g.mem)).toBeNull();
    expect(q.error).toBeNull();
  });

  it('pops an indirect chain the same way', () => {
    const { g, ring, q } = setup();
    const a = g.alloc(8), b = g.alloc(8), c = g.alloc(4);
    const head = ring.add([{ addr: a, len: 8 }, { addr: b, len: 8 }, { addr: c, len: 4, write: true }], { indirect: true });
    const chain = q.pop(g.mem)!;
    expect(chain.head).toBe(head);
    expect(chain.readable).toEqual([{ addr: a, len: 8 }, { addr: b, len: 8 }]);
    expect(chain.writable).toEqual([{ addr: c, len: 4 }]);
  });

  it('copies across buffer boundaries and refuses ranges past the buffers', () => {
    const { g, ring, q } = setup();
    const a = g.put(Uint8Array.of(1, 2, 3)), b = g.put(Uint8Array.of(4, 5));
    const w1 = g.alloc(2), w2 = g.alloc(3);
    ring.add([{ addr: a, len: 3 }, { addr: b, len: 2 }, { addr: w1, len: 2, write: true }, { addr: w2, len: 3, write: true }]);
    const chain = q.pop(g.mem)!;
    const dst = new Uint8Array(4);
    expect(chain.readFrom(g.mem, 1, dst)).toBe(true);
    expect([...dst]).toEqual([2, 3, 4, 5]);
    expect(chain.readFrom(g.mem, 2, dst)).toBe(false);
    expect(chain.writeTo(g.mem, 1, Uint8Array.of(9, 8, 7))).toBe(true);
    expect([...g.get(w1, 2), ...g.get(w2, 3)]).toEqual([0, 9, 8, 7, 0]);
    expect(chain.writeTo(g.mem, 3, Uint8Array.of(1, 1, 1))).toBe(false);
  });

  it('handles 16-bit index wrap-around of the available and used rings', () => {
    const { g, ring, q } = setup(4);
    const buf = g.alloc(4);
    // Start both sides just below the wrap.
    q.nextAvail = 0xfffe;
    q.nextUsed = 0xfffe;
    ring.setAvailIdx(0xfffe);
    g.mem.write16(ring.used + 2, 0xfffe);
    for (let i = 0; i < 4; i++) {
      ring.add([{ addr: buf, len: 4, write: true }]);
      const c = q.pop(g.mem)!;
      expect(c).not.toBeNull();
      expect(q.pushUsed(g.mem, c.head, 4)).toBe(true);
    }
    expect(ring.usedIdx()).toBe(2);
    expect(q.error).toBeNull();
  });

  it('skips zero-length buffers', () => {
    const { g, ring, q } = setup();
    const a = g.alloc(4);
    ring.add([{ addr: a, len: 0 }, { addr: a, len: 4, write: true }, { addr: a, len: 0, write: true }]);
    const chain = q.pop(g.mem)!;
    expect(chain.readable).toEqual([]);
    expect(chain.writable).toEqual([{ addr: a, len: 4 }]);
  });
});

describe('SplitQueue: malformed rings put the queue in the error state', () => {
  const cases: Array<[string, (s: ReturnType<typeof setup>) => void, RegExp]> = [
    ['a descriptor loop', ({ ring }) => {
      ring.writeDesc(0, 0x4000_0000, 4, 1, 1);
      ring.writeDesc(1, 0x4000_0000, 4, 1, 0);
      ring.pushAvail(0);
    }, /longer than/],
    ['a chain longer than the queue (self loop)', ({ ring }) => {
      ring.writeDesc(3, 0x4000_0000, 4, 1, 3);
      ring.pushAvail(3);
    }, /longer than/],
    ['a next index outside the table', ({ ring }) => {
      ring.writeDesc(0, 0x4000_0000, 4, 1, 8);
      ring.pushAvail(0);
    }, /outside a table/],
    ['a head index outside the table', ({ ring }) => ring.pushAvail(8), /head descriptor index 8/],
    ['an available index more than the queue size ahead', ({ ring }) => ring.setAvailIdx(9), /ahead of the device/],
    ['an indirect table inside an indirect table', ({ g, ring }) => {
      const t = g.alloc(32);
      ring.writeDesc(0, t, 16, 4, 0, t);
      ring.writeDesc(0, t, 16, 4, 0);
      ring.pushAvail(0);
    }, /indirect table contains an indirect/],
    ['an indirect table length not a multiple of 16', ({ g, ring }) => {
      ring.writeDesc(0, g.alloc(32), 20, 4, 0);
      ring.pushAvail(0);
    }, /not a non-zero multiple of 16/],
    ['an empty indirect table', ({ g, ring }) => {
      ring.writeDesc(0, g.alloc(32), 0, 4, 0);
      ring.pushAvail(0);
    }, /not a non-zero multiple of 16/],
    ['an oversized indirect table', ({ g, ring }) => {
      ring.writeDesc(0, g.alloc(16), 16 * 1025, 4, 0);
      ring.pushAvail(0);
    }, /longer than 1024/],
    ['an indirect table outside RAM', ({ ring }) => {
      ring.writeDesc(0, 0x1000, 32, 4, 0);
      ring.pushAvail(0);
    }, /not in RAM/],
    ['a loop inside an indirect table', ({ g, ring }) => {
      const t = g.alloc(32);
      ring.writeDesc(0, 0x4000_0000, 4, 1, 1, t);
      ring.writeDesc(1, 0x4000_0000, 4, 1, 0, t);
      ring.writeDesc(0, t, 32, 4, 0);
      ring.pushAvail(0);
    }, /longer than its table of 2/],
    ['a readable buffer after a writable one', ({ ring }) => {
      ring.writeDesc(0, 0x4000_0000, 4, 2 | 1, 1);
      ring.writeDesc(1, 0x4000_0000, 4, 0, 0);
      ring.pushAvail(0);
    }, /readable descriptor after a device-writable/],
  ];
  for (const [name, build, message] of cases) {
    it(name, () => {
      const s = setup();
      build(s);
      expect(s.q.pop(s.g.mem)).toBeNull();
      expect(s.q.error).toMatch(message);
      // Stays broken: nothing more is popped, nothing is pushed.
      s.ring.add([{ addr: s.g.alloc(4), len: 4, write: true }]);
      expect(s.q.pop(s.g.mem)).toBeNull();
      expect(s.q.pushUsed(s.g.mem, 0, 0)).toBe(false);
      expect(s.ring.usedIdx()).toBe(0);
    });
  }

  it('takes indirect tables without RING_INDIRECT_DESC, and ignores NEXT beside INDIRECT (as QEMU)', () => {
    const s = setup(8, { indirect: false });
    const a = s.g.alloc(4);
    s.ring.add([{ addr: a, len: 4, write: true }], { indirect: true });
    expect(s.q.pop(s.g.mem)!.writable).toEqual([{ addr: a, len: 4 }]);
    const t = s.g.alloc(16);
    s.ring.writeDesc(0, a, 4, 0, 0, t);
    s.ring.writeDesc(5, t, 16, 4 | 1, 6);
    s.ring.writeDesc(6, a, 8, 2, 0);
    s.ring.pushAvail(5);
    const c = s.q.pop(s.g.mem)!;
    expect(c.readable).toEqual([{ addr: a, len: 4 }]);
    expect(c.writable).toEqual([]);
    expect(s.q.error).toBeNull();
  });

  it('fails on rings outside RAM instead of throwing', () => {
    const q = new SplitQueue(0, 8);
    const g = new GuestRam();
    q.descAddr = 0x10;
    q.driverAddr = 0x1000;
    q.deviceAddr = 0x2000;
    q.ready = true;
    expect(q.pop(g.mem)).toBeNull();
    expect(q.error).toMatch(/not in RAM/);
  });

  it('checks the layout rules of §2.7 before enabling', () => {
    const q = new SplitQueue(0, 256);
    q.size = 100;
    expect(q.checkLayout()).toMatch(/power of two/);
    q.size = 512;
    expect(q.checkLayout()).toMatch(/power of two/);
    q.size = 64;
    q.descAddr = 8;
    expect(q.checkLayout()).toMatch(/16-byte/);
    q.descAddr = 16;
    q.driverAddr = 1;
    expect(q.checkLayout()).toMatch(/2-byte/);
    q.driverAddr = 2;
    q.deviceAddr = 2;
    expect(q.checkLayout()).toMatch(/4-byte/);
    q.deviceAddr = 4;
    expect(q.checkLayout()).toBeNull();
    expect(() => new SplitQueue(0, 3)).toThrow(RangeError);
  });
});

describe('SplitQueue: notification suppression', () => {
  it('honours VIRTQ_AVAIL_F_NO_INTERRUPT without EVENT_IDX', () => {
    const { g, ring, q } = setup();
    ring.add([{ addr: g.alloc(4), len: 4, write: true }]);
    const c = q.pop(g.mem)!;
    q.pushUsed(g.mem, c.head, 4);
    expect(q.needsNotification(g.mem)).toBe(true);
    ring.setAvailFlags(1);
    expect(q.needsNotification(g.mem)).toBe(false);
  });

  it('writes avail_event = next available index after each pop (EVENT_IDX)', () => {
    const { g, ring, q } = setup(8, { eventIdx: true });
    const buf = g.alloc(4);
    for (let i = 1; i <= 3; i++) {
      ring.add([{ addr: buf, len: 4, write: true }]);
      q.pop(g.mem);
      expect(ring.availEvent()).toBe(i);
    }
  });

  it('follows the used_event rule of §2.7.10 for every event/old/new combination tried', () => {
    let yes = 0;
    let no = 0;
    for (const start of [0, 3, 0xfffd]) {
      for (let batch = 1; batch <= 3; batch++) {
        for (let d = -2; d <= batch + 1; d++) {
          const { g, ring, q } = setup(8, { eventIdx: true });
          const buf = g.alloc(4);
          q.nextAvail = q.nextUsed = start;
          ring.setAvailIdx(start);
          const push = () => {
            ring.add([{ addr: buf, len: 4, write: true }]);
            q.pushUsed(g.mem, q.pop(g.mem)!.head, 4);
            ring.takeUsed();
          };
          push();
          expect(q.needsNotification(g.mem)).toBe(true); // the first one is always sent
          const old = (start + 1) & 0xffff;
          for (let i = 0; i < batch; i++) push();
          const now = (old + batch) & 0xffff;
          const ev = (old + d) & 0xffff;
          ring.setUsedEvent(ev);
          const want = specNeedEvent(ev, now, old);
          expect(q.needsNotification(g.mem), `old ${old} new ${now} used_event ${ev}`).toBe(want);
          if (want) yes++;
          else no++;
        }
      }
    }
    expect(yes).toBeGreaterThan(5);
    expect(no).toBeGreaterThan(5);
  });
});
