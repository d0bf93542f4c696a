import fc from 'fast-check';
import { AddressSpace, ConfigError } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { CFG_BASE, VmappleCfg, type VmappleCfgOptions } from '../src/index.js';

/** The guest's view: the region mapped at the spec's address (§4.1). */
function board(options?: VmappleCfgOptions) {
  const cfg = new VmappleCfg(options);
  const bus = new AddressSpace();
  bus.mapRam(CFG_BASE, cfg.ram);
  const u32 = (off: number) => bus.read32(CFG_BASE + off)!;
  const u64 = (off: number) => bus.read64u(CFG_BASE + off)!;
  const bytes = (off: number, n: number) => {
    const b = new Uint8Array(n);
    expect(bus.readBytes(CFG_BASE + off, b)).toBe(true);
    return b;
  };
  const cstr = (off: number) => {
    const b = bytes(off, 32);
    const end = b.indexOf(0);
    expect(end).toBeGreaterThanOrEqual(0);
    expect(b.subarray(end).every((x) => x === 0)).toBe(true); // NUL-terminated, zero-padded
    return new TextDecoder().decode(b.subarray(0, end));
  };
  return { cfg, bus, u32, u64, bytes, cstr };
}

/** Index of the first differing byte, or -1 (fast, unlike a deep equality on 64 KiB). */
function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** §4.2 "Actual" column with QEMU's default values (§4.3), typed in from the spec. */
const SPEC_U32_DEFAULTS: Array<[number, number, string]> = [
  [0x000, 2, 'version'],
  [0x004, 1, 'nr_cpus'],
  [0x008, 1, 'unk1'],
  [0x00c, 1, 'unk2'],
  [0x010, 0x20, 'unk3'],
  [0x014, 0, 'unk4'],
  [0x028, 0, 'run_installer1'],
  [0x02c, 1, 'unk5'],
  [0x030, 1, 'unk6'],
  [0x034, 0, 'run_installer2'],
  [0x038, 0, 'rnd'],
  [0x03c, 0, 'unk7'],
  [0x580, 1, 'unk10'],
  [0x5a4, 0, 'struct padding'],
];

describe('layout and defaults (§4.2, §4.3)', () => {
  it.each(SPEC_U32_DEFAULTS)('u32 at %s is %s (%s)', (off, value) => {
    expect(board().u32(off)).toBe(value);
  });

  it('u64 ecid at 0x018 and ram_size at 0x020 default to 0', () => {
    const b = board();
    expect(b.u64(0x018)).toBe(0n);
    expect(b.u64(0x020)).toBe(0n);
  });

  it('strings: serial at 0x500, "D/A" at 0x520, model at 0x540, unk9 at 0x560 empty, soc_name at 0x584', () => {
    const b = board();
    expect(b.cstr(0x500)).toBe('1234');
    expect(b.cstr(0x520)).toBe('D/A');
    expect(b.cstr(0x540)).toBe('VM0001');
    expect(b.cstr(0x560)).toBe('');
    expect(b.cstr(0x584)).toBe('Apple M1 (Virtual)');
  });

  it('MACs, reserved, cpu_ids beyond nr_cpus, scratch and everything after 0x5A8 are zero', () => {
    const b = board();
    const all = b.bytes(0, 0x1_0000);
    const zero = (from: number, to: number) => expect(all.subarray(from, to).every((x) => x === 0)).toBe(true);
    zero(0x040, 0x100); // MACs + pad + reserved
    zero(0x104, 0x500); // cpu_ids[1..] + scratch
    zero(0x5a8, 0x1_0000);
    expect(b.u32(0x100)).toBe(0); // cpu_ids[0] = 0
  });

  it('the region is 64 KiB of RAM and the structure is 0x5A8 bytes', () => {
    const b = board();
    expect(b.cfg.ram.size).toBe(0x1_0000);
    expect(b.cfg.structure().length).toBe(0x5a8);
    expect(b.cfg.structure()).toEqual(b.bytes(0, 0x5a8));
  });
});

describe('properties', () => {
  it('places every property at its offset, little-endian, MACs in transmission order', () => {
    const b = board({
      nrCpus: 8,
      ecid: 0x0123_4567_89ab_cdefn,
      ramSize: 4 * 2 ** 30,
      runInstaller1: 0xdead_beef,
      runInstaller2: 7,
      rnd: 0xcafe_f00d,
      macEn0: '52:54:00:12:34:56',
      macEn1: 'aa-bb-cc-dd-ee-ff',
      macWifi0: [1, 2, 3, 4, 5, 6],
      macBt0: Uint8Array.of(0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54),
      serial: 'C02XL0GHJGH5',
      model: 'VirtualMac2,1',
      socName: 'Apple M2 (Virtual)',
    });
    expect(b.u32(0x004)).toBe(8);
    expect(b.bytes(0x018, 8)).toEqual(Uint8Array.of(0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01));
    expect(b.u64(0x020)).toBe(0x1_0000_0000n);
    expect(b.u32(0x028)).toBe(0xdead_beef);
    expect(b.u32(0x034)).toBe(7);
    expect(b.u32(0x038)).toBe(0xcafe_f00d);
    expect(b.bytes(0x040, 8)).toEqual(Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0, 0));
    expect(b.bytes(0x048, 8)).toEqual(Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0, 0));
    expect(b.bytes(0x050, 8)).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 0, 0));
    expect(b.bytes(0x058, 8)).toEqual(Uint8Array.of(0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0, 0));
    for (let i = 0; i < 0x80; i++) expect(b.u32(0x100 + 4 * i)).toBe(i < 8 ? i : 0);
    expect(b.cstr(0x500)).toBe('C02XL0GHJGH5');
    expect(b.cstr(0x540)).toBe('VirtualMac2,1');
    expect(b.cstr(0x584)).toBe('Apple M2 (Virtual)');
    expect(b.cfg.properties.ecid).toBe(0x0123_4567_89ab_cdefn);
  });

  it('accepts the limits: 31-byte strings, 128 CPUs, all-ones u32 and u64', () => {
    const s31 = 'x'.repeat(31);
    const b = board({ serial: s31, model: s31, socName: s31, nrCpus: 128, rnd: 0xffff_ffff, ecid: 0xffff_ffff_ffff_ffffn });
    expect(b.cstr(0x500)).toBe(s31);
    expect(b.cstr(0x540)).toBe(s31);
    expect(b.cstr(0x584)).toBe(s31);
    expect(b.u32(0x100 + 4 * 127)).toBe(127);
    expect(b.u32(0x038)).toBe(0xffff_ffff);
    expect(b.u64(0x018)).toBe(0xffff_ffff_ffff_ffffn);
  });

  const bad: Array<[string, VmappleCfgOptions, RegExp]> = [
    ['serial of 32 characters', { serial: 's'.repeat(32) }, /vmapple-cfg: property 'serial' must be at most 31 bytes/],
    ['model of 40 characters', { model: 'm'.repeat(40) }, /property 'model' must be at most 31 bytes/],
    ['soc_name of 32 characters', { socName: 'c'.repeat(32) }, /property 'soc_name' must be at most 31 bytes/],
    ['serial of 16 two-byte characters (32 UTF-8 bytes)', { serial: 'é'.repeat(16) }, /property 'serial' must be at most 31 bytes/],
    ['serial with a NUL', { serial: 'ab\0cd' }, /property 'serial' must not contain a NUL/],
    ['nr-cpus 129', { nrCpus: 129 }, /property 'nr-cpus' must be at most 128, got 129/],
    ['nr-cpus 0', { nrCpus: 0 }, /property 'nr-cpus' must be at least 1/],
    ['nr-cpus 1.5', { nrCpus: 1.5 }, /property 'nr-cpus' must be an integer/],
    ['rnd 2^32', { rnd: 2 ** 32 }, /property 'rnd' must be at most 4294967295/],
    ['run_installer1 negative', { runInstaller1: -1 }, /property 'run_installer1' must be at least 0/],
    ['ecid 2^64', { ecid: 2n ** 64n }, /property 'ecid' must fit in 64 unsigned bits/],
    ['ram-size negative', { ramSize: -1 }, /property 'ram-size' must fit in 64 unsigned bits/],
    ['mac-en0 malformed', { macEn0: '52:54:00:12:34' }, /property 'mac-en0' must be a MAC address/],
    ['mac-bt0 non-hex', { macBt0: '52:54:00:12:34:zz' }, /property 'mac-bt0' must be a MAC address/],
    ['mac-wifi0 of 5 bytes', { macWifi0: [1, 2, 3, 4, 5] }, /property 'mac-wifi0' must be six bytes/],
    ['mac-en1 byte 256', { macEn1: [1, 2, 3, 4, 5, 256] }, /property 'mac-en1' must be six bytes/],
  ];
  it.each(bad)('rejects %s with a ConfigError', (_name, options, message) => {
    let err: unknown;
    try {
      new VmappleCfg(options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });
});

describe('reset (§4.1)', () => {
  it('guest writes stick until reset, which zeroes the region and rewrites the structure', () => {
    const b = board({ nrCpus: 4, serial: 'ABC' });
    const fresh = b.bytes(0, 0x1_0000);
    b.bus.write32(CFG_BASE + 0x004, 99);
    b.bus.write32(CFG_BASE + 0x8000, 0x1234_5678);
    b.bus.write8(CFG_BASE + 0x500, 0x5a);
    expect(b.u32(0x004)).toBe(99);
    expect(b.u32(0x8000)).toBe(0x1234_5678);
    b.cfg.reset();
    expect(firstDiff(b.bytes(0, 0x1_0000), fresh)).toBe(-1);
  });

  it('property: after any guest writes, reset restores exactly the power-on image', () => {
    fc.assert(
      fc.property(
        fc.record({ nrCpus: fc.integer({ min: 1, max: 128 }), rnd: fc.integer({ min: 0, max: 0xffff_ffff }), serial: fc.string({ maxLength: 31 }) }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 0xfffc }), fc.integer({ min: 0, max: 0xffff_ffff })), { maxLength: 50 }),
        (props, writes) => {
          const ok = new TextEncoder().encode(props.serial).length <= 31 && !props.serial.includes('\0');
          if (!ok) {
            expect(() => new VmappleCfg(props)).toThrow(ConfigError);
            return;
          }
          const b = board(props);
          const fresh = b.bytes(0, 0x1_0000);
          expect(b.u32(0x004)).toBe(props.nrCpus);
          expect(b.u32(0x038)).toBe(props.rnd);
          expect(b.u32(0x100 + 4 * (props.nrCpus - 1))).toBe(props.nrCpus - 1);
          for (const [off, v] of writes) b.bus.write(CFG_BASE + (off & ~3), 4, v);
          b.cfg.reset();
          expect(firstDiff(b.bytes(0, 0x1_0000), fresh)).toBe(-1);
        },
      ),
      { numRuns: 100 },
    );
  }, 30_000);
});
