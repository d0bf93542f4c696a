import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AddressSpace, RamRegion } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { AES2_BASE, AES_BASE, AesReg, AppleAes, type AppleAesOptions } from '../src/index.js';
import { BACKENDS, type Board, dataCmd, keyCmd, leWords, makeBoard as makeBaseBoard, RAM_BASE } from './harness.js';
import { toHex } from './vectors.js';

const SRC = RAM_BASE + 0x1000;
const DST = RAM_BASE + 0x8000;
const IVOUT = RAM_BASE + 0x100;

function nodeCrypt(mode: 'ecb' | 'cbc', encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array): string {
  const alg = `aes-${key.length * 8}-${mode}`;
  const c = encrypt ? createCipheriv(alg, key, mode === 'ecb' ? null : iv) : createDecipheriv(alg, key, mode === 'ecb' ? null : iv);
  c.setAutoPadding(false);
  return toHex(new Uint8Array(Buffer.concat([c.update(data), c.final()])));
}

const read = (b: Board, addr: number, len: number) => {
  const out = new Uint8Array(len);
  expect(b.bus.readBytes(addr, out)).toBe(true);
  return out;
};

describe.each(BACKENDS)('$name backend', ({ create }) => {
  const makeBoard = (options: Partial<AppleAesOptions> = {}) => makeBaseBoard({ backend: create(), ...options });

  describe('register file (§2.2)', () => {
    it.each(['qemu', 'fixed'] as const)('reset values (%s)', (quirks) => {
      const b = makeBoard({ quirks });
      expect(b.reg(AesReg.STATUS)).toBe(0x3f80);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
      expect(b.reg(AesReg.IRQ_ENABLE)).toBe(0);
      expect(b.reg(AesReg.WATERMARK)).toBe(0);
      expect(b.reg(AesReg.Q_STATUS)).toBe(2);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0);
      expect(b.irq.level).toBe(false);
    });

    it('read-only registers ignore writes', () => {
      const b = makeBoard();
      for (const r of [AesReg.STATUS, AesReg.WATERMARK, AesReg.Q_STATUS, AesReg.FLAG_INFO]) b.setReg(r, 0xffff_ffff);
      expect([b.reg(AesReg.STATUS), b.reg(AesReg.WATERMARK), b.reg(AesReg.Q_STATUS), b.reg(AesReg.FLAG_INFO)]).toEqual([0x3f80, 0, 2, 0]);
      expect(b.entries.filter((e) => e.kind === 'unimplemented')).toHaveLength(0);
    });

    it('FIFO reads 0 and unknown offsets read 0, both logged as unimplemented; unknown writes are ignored', () => {
      const b = makeBoard();
      expect(b.reg(AesReg.FIFO)).toBe(0);
      expect(b.reg(0x100)).toBe(0);
      b.setReg(0x100, 0x1234);
      expect(b.reg(0x100)).toBe(0);
      // Three reads and one write, each logged.
      expect(b.entries.filter((e) => e.kind === 'unimplemented')).toHaveLength(4);
    });

    it('IRQ_ENABLE keeps all 32 bits; IRQ_STATUS is write-1-to-clear; the line is the AND of both', () => {
      const b = makeBoard();
      b.setReg(AesReg.IRQ_ENABLE, 0xdead_beef);
      expect(b.reg(AesReg.IRQ_ENABLE)).toBe(0xdead_beef);
      b.setReg(AesReg.IRQ_ENABLE, 0);
      b.push(0x0000_0000); // invalid opcode: INVALID_CMD
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x04);
      expect(b.irq.level).toBe(false);
      b.setReg(AesReg.IRQ_ENABLE, 0x04);
      expect(b.irq.level).toBe(true);
      b.setReg(AesReg.IRQ_STATUS, 0x20); // clearing another bit changes nothing
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x04);
      b.setReg(AesReg.IRQ_STATUS, 0x04);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
      expect(b.irq.level).toBe(false);
    });

    it('8-byte accesses are split: low word at the offset, high word at offset + 4', () => {
      const b = makeBoard({ quirks: 'fixed' });
      // 8-byte store at 0x200: only the low word reaches the FIFO (a FLAG with info 0x11).
      b.bus.write64(AES_BASE + AesReg.FIFO, 0x8000_0022_8000_0011n);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0x11);
      // 8-byte store at 0x018: W1C with the low word, IRQ_ENABLE with the high word.
      b.push(0x8800_0000);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x20);
      b.bus.write64(AES_BASE + AesReg.IRQ_STATUS, 0x0000_0020_0000_0020n);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
      expect(b.reg(AesReg.IRQ_ENABLE)).toBe(0x20);
      expect(b.bus.read64(AES_BASE + AesReg.IRQ_STATUS)).toBe(0x0000_0020_0000_0000n);
    });

    it('1- and 2-byte accesses never reach the device', () => {
      const b = makeBoard();
      b.bus.write(AES_BASE + AesReg.FIFO, 1, 0x80);
      b.bus.write(AES_BASE + AesReg.FIFO, 2, 0x8000);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
      expect(b.bus.read(AES_BASE + AesReg.STATUS, 2)).toBe(0);
    });

    it('AES_2 reads 0 everywhere (offset 0 silently) and ignores writes with a log', () => {
      const b = makeBoard();
      expect(b.bus.read(AES2_BASE, 4)).toBe(0);
      expect(b.entries).toHaveLength(0);
      expect(b.bus.read(AES2_BASE + 0x10, 4)).toBe(0);
      b.bus.write(AES2_BASE, 4, 0xffff_ffff);
      expect(b.bus.read(AES2_BASE, 4)).toBe(0);
      expect(b.entries.filter((e) => e.kind === 'unimplemented')).toHaveLength(2);
    });
  });

  describe('worked encodings (§2.5a)', () => {
    it('KEY 0x11810000: slot 0, built-in key 1, decrypt, CBC', () => {
      const b = makeBoard();
      const key = new Uint8Array(32);
      key[0] = 1;
      const iv = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(64));
      b.bus.writeBytes(SRC, data);
      b.push(0x1181_0000, 0x2000_0000, ...leWords(iv), ...dataCmd(64, SRC, DST));
      expect(toHex(read(b, DST, 64))).toBe(nodeCrypt('cbc', false, key, iv, data));
    });

    it('KEY 0x18100000 + 4 words: slot 1, inline 16-byte key, encrypt, ECB', () => {
      const b = makeBoard();
      const key = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(32));
      b.bus.writeBytes(SRC, data);
      b.push(0x1810_0000, ...leWords(key));
      b.push(...dataCmd(32, SRC, DST, 1));
      expect(toHex(read(b, DST, 32))).toBe(nodeCrypt('ecb', true, key, new Uint8Array(16), data));
      // Slot 0 is still empty: DATA with key slot 0 fails (invalid key length).
      const before = b.guestErrors();
      b.push(...dataCmd(32, SRC, DST + 0x100, 0));
      expect(b.guestErrors()).toBe(before + 1);
      expect(read(b, DST + 0x100, 32).every((x) => x === 0)).toBe(true);
    });

    it('KEY 0x10910000 + 8 words: slot 0, inline 32-byte key, encrypt, CBC (fills all 9 FIFO words)', () => {
      const b = makeBoard();
      const key = new Uint8Array(randomBytes(32));
      const iv = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(48));
      b.bus.writeBytes(SRC, data);
      b.push(0x1091_0000, ...leWords(key), 0x2000_0000, ...leWords(iv), ...dataCmd(48, SRC, DST));
      expect(toHex(read(b, DST, 48))).toBe(nodeCrypt('cbc', true, key, iv, data));
    });

    it('IV 0x20000000 lands in slot 0 and IV 0x28000000 lands in slot 2 (QEMU)', () => {
      const b = makeBoard();
      const iv0 = leWords(new Uint8Array(randomBytes(16)));
      const iv2 = leWords(new Uint8Array(randomBytes(16)));
      b.push(0x2000_0000, ...iv0, 0x2800_0000, ...iv2);
      b.push(0x6000_0000, IVOUT >>> 0); // STORE_IV slot 0
      b.push(0x6800_0000, (IVOUT + 16) >>> 0); // STORE_IV bit 27: slot 2 as well
      expect(leWords(read(b, IVOUT, 16))).toEqual(iv0);
      expect(leWords(read(b, IVOUT + 16, 16))).toEqual(iv2);
    });

    it('DATA 0x50001000, 0x00000001, 0x80000000, 0x00002000: 48-bit source and destination', () => {
      const bus = new AddressSpace();
      bus.mapRam(0x8000_0000, new RamRegion('src', 0x1000));
      bus.mapRam(0x1_0000_2000, new RamRegion('dst', 0x1000));
      const aes = new AppleAes({ memory: bus, backend: create() });
      bus.mapMmio(AES_BASE, aes.region);
      const key = new Uint8Array(32);
      key[0] = 2;
      const data = new Uint8Array(randomBytes(0x1000));
      bus.writeBytes(0x8000_0000, data);
      for (const w of [0x1280_0000 /* built-in key 2, ECB, decrypt */, 0x5000_1000, 0x0000_0001, 0x8000_0000, 0x0000_2000]) {
        bus.write(AES_BASE + AesReg.FIFO, 4, w);
      }
      const out = new Uint8Array(0x1000);
      bus.readBytes(0x1_0000_2000, out);
      expect(toHex(out)).toBe(nodeCrypt('ecb', false, key, new Uint8Array(16), data));
    });

    it('STORE_IV 0x60000012, 0x34567890 writes the IV at 0x12_3456_7890 in load order', () => {
      const bus = new AddressSpace();
      bus.mapRam(0x12_3456_7000, new RamRegion('hi', 0x1000));
      const aes = new AppleAes({ memory: bus, backend: create() });
      bus.mapMmio(AES_BASE, aes.region);
      for (const w of [0x2000_0000, 0x0302_0100, 0x0706_0504, 0x0b0a_0908, 0x0f0e_0d0c, 0x6000_0012, 0x3456_7890]) {
        bus.write(AES_BASE + AesReg.FIFO, 4, w);
      }
      const out = new Uint8Array(16);
      bus.readBytes(0x12_3456_7890, out);
      expect(toHex(out)).toBe('000102030405060708090a0b0c0d0e0f');
    });

    it('FLAG 0x8800005A raises IRQ_STATUS bit 5 and sets FLAG_INFO to 0x5A', () => {
      const b = makeBoard();
      b.setReg(AesReg.IRQ_ENABLE, 0x20);
      b.push(0x8800_005a);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x20);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0x5a);
      expect(b.irq.level).toBe(true);
      b.setReg(AesReg.IRQ_STATUS, 0x20);
      expect(b.irq.level).toBe(false);
      b.push(0x8000_0033); // no raise bit: info only
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0x33);
    });
  });

  describe('built-in keys', () => {
    it.each([1, 2, 3])('select %i is 32 bytes: the select value then zeros', (sel) => {
      const b = makeBoard();
      const key = new Uint8Array(32);
      key[0] = sel;
      const data = new Uint8Array(randomBytes(32));
      b.bus.writeBytes(SRC, data);
      // Length code 0 (16 bytes) is ignored for built-in keys.
      b.push(keyCmd({ select: sel, lenCode: 0, encrypt: true }), ...dataCmd(32, SRC, DST));
      expect(toHex(read(b, DST, 32))).toBe(nodeCrypt('ecb', true, key, new Uint8Array(16), data));
    });

    it.each([4, 5, 6, 7])('select %i is empty: DATA then fails on the key length (and wedges in QEMU mode)', (sel) => {
      const b = makeBoard();
      b.bus.writeBytes(SRC, new Uint8Array(16).fill(0xaa));
      b.push(keyCmd({ select: sel, encrypt: true }), ...dataCmd(16, SRC, DST));
      expect(read(b, DST, 16).every((x) => x === 0)).toBe(true);
      b.push(0x8000_0077);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0);
    });
  });

  /** Each failure case from §2.4: in QEMU mode the FIFO wedges, in fixed mode it is dropped. */
  const failures: Array<{ name: string; words: number[] }> = [
    { name: 'unsupported opcode 0x3 (DSB)', words: [0x3000_0000] },
    { name: 'unsupported opcode 0x0', words: [0x0000_0001] },
    { name: 'unsupported opcode 0xF', words: [0xf000_0000] },
    { name: 'KEY with block mode 2', words: [0x1002_0000] },
    { name: 'KEY with block mode 3', words: [0x1013_0000] },
    { name: 'KEY with a 64-byte inline key', words: [0x10c0_0000] },
    { name: 'DATA with an unmapped source', words: [0x1110_0000, ...dataCmd(16, 0x10, DST)] },
    { name: 'DATA with an unmapped destination', words: [0x1110_0000, ...dataCmd(16, SRC, 0x10)] },
    { name: 'DATA with an empty key slot', words: dataCmd(16, SRC, DST, 1) },
    { name: 'DATA whose length is not a multiple of 16', words: [0x1110_0000, ...dataCmd(20, SRC, DST)] },
    { name: 'STORE_IV to an unmapped address', words: [0x6000_00ff, 0] },
  ];

  describe('failed commands (§2.4 FIFO wedge quirk)', () => {
    it.each(failures)('QEMU: $name wedges the FIFO for good, reset included', ({ words }) => {
      const b = makeBoard();
      b.push(...words);
      b.setReg(AesReg.IRQ_STATUS, 0xffff_ffff);
      b.push(0x8800_0042, 0x8800_0042); // FLAGs never run
      b.aes.reset();
      b.push(0x8800_0042);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0);
      expect(b.reg(AesReg.IRQ_STATUS) & 0x20).toBe(0);
      for (let i = 0; i < 12; i++) b.push(0x8800_0042);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0);
    });

    it.each(failures)('fixed: $name is dropped and the next command runs', ({ words }) => {
      const b = makeBoard({ quirks: 'fixed' });
      b.push(...words);
      b.push(0x8800_0042);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(0x42);
      expect(b.reg(AesReg.IRQ_STATUS) & 0x20).toBe(0x20);
    });

    it('QEMU: a wedged invalid opcode sets INVALID_CMD again on every later FIFO write', () => {
      const b = makeBoard();
      b.setReg(AesReg.IRQ_ENABLE, 0x04);
      b.push(0x7000_0000);
      expect(b.irq.level).toBe(true);
      b.setReg(AesReg.IRQ_STATUS, 0x04);
      expect(b.irq.level).toBe(false);
      b.push(0x8800_0001);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x04);
      expect(b.irq.level).toBe(true);
    });

    it('fixed: an unsupported opcode still sets INVALID_CMD once', () => {
      const b = makeBoard({ quirks: 'fixed' });
      b.push(0x4000_0000);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0x04);
      b.setReg(AesReg.IRQ_STATUS, 0x04);
      b.push(0x8000_0001);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
    });

    it('DATA of length 0 succeeds without touching memory, even at unmapped addresses', () => {
      const b = makeBoard();
      b.push(0x1110_0000, ...dataCmd(0, 0x10, 0x20), 0x8000_0009);
      expect(b.reg(AesReg.FLAG_INFO)).toBe(9);
    });

    it('a failed DATA leaves the destination untouched', () => {
      const b = makeBoard({ quirks: 'fixed' });
      b.bus.writeBytes(SRC, new Uint8Array(32).fill(1));
      b.push(0x1110_0000, ...dataCmd(24, SRC, DST));
      expect(read(b, DST, 32).every((x) => x === 0)).toBe(true);
    });
  });

  describe('IV slot quirks and their fixes', () => {
    function ivRoundTrip(quirks: 'qemu' | 'fixed', ivWord: number, storeWord: number) {
      const b = makeBoard({ quirks });
      const iv = leWords(new Uint8Array(randomBytes(16)));
      b.push(ivWord, ...iv, storeWord, IVOUT >>> 0);
      return { stored: leWords(read(b, IVOUT, 16)), iv };
    }

    it('QEMU: IV bit 26 alone is lost (slot 0), so STORE_IV of slot "1" reads slot 0', () => {
      const r = ivRoundTrip('qemu', 0x2400_0000, 0x6000_0000);
      expect(r.stored).toEqual(r.iv);
    });

    it('fixed: the IV context is bits 27..26, so slots 1 and 3 are reachable', () => {
      for (const slot of [1, 2, 3]) {
        const r = ivRoundTrip('fixed', (0x2000_0000 | (slot << 26)) >>> 0, (0x6000_0000 | (slot << 26)) >>> 0);
        expect(r.stored).toEqual(r.iv);
        const other = ivRoundTrip('fixed', (0x2000_0000 | (slot << 26)) >>> 0, 0x6000_0000);
        expect(other.stored).toEqual([0, 0, 0, 0]);
      }
    });

    it('QEMU: DATA always chains from IV slot 0; fixed: DATA uses its IV context (bits 26..25)', () => {
      const key = new Uint8Array(randomBytes(16));
      const iv0 = new Uint8Array(randomBytes(16));
      const iv2 = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(32));
      for (const quirks of ['qemu', 'fixed'] as const) {
        const b = makeBoard({ quirks });
        b.bus.writeBytes(SRC, data);
        b.push(keyCmd({ encrypt: true, mode: 1 }), ...leWords(key));
        b.push(0x2000_0000, ...leWords(iv0), 0x2800_0000, ...leWords(iv2));
        b.push(...dataCmd(32, SRC, DST, 0, 2)); // IV context 2
        expect(toHex(read(b, DST, 32))).toBe(nodeCrypt('cbc', true, key, quirks === 'qemu' ? iv0 : iv2, data));
      }
    });
  });

  describe('reset', () => {
    it('QEMU: keys, IVs, mode and FLAG_INFO survive a reset; fixed: they are cleared', () => {
      const key = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(16));
      for (const quirks of ['qemu', 'fixed'] as const) {
        const b = makeBoard({ quirks });
        b.bus.writeBytes(SRC, data);
        b.push(keyCmd({ encrypt: true }), ...leWords(key), 0x8000_0011);
        b.setReg(AesReg.IRQ_ENABLE, 0xff);
        b.aes.reset();
        expect(b.reg(AesReg.IRQ_ENABLE)).toBe(0);
        expect(b.reg(AesReg.FLAG_INFO)).toBe(quirks === 'qemu' ? 0x11 : 0);
        b.push(...dataCmd(16, SRC, DST));
        const out = toHex(read(b, DST, 16));
        if (quirks === 'qemu') expect(out).toBe(nodeCrypt('ecb', true, key, new Uint8Array(16), data));
        else expect(out).toBe('00'.repeat(16)); // no key after reset: DATA fails
      }
    });

    it('QEMU: a partly queued command survives reset and completes afterwards', () => {
      const b = makeBoard();
      b.push(0x2000_0000, 1, 2);
      b.aes.reset();
      b.push(3, 4, 0x6000_0000, IVOUT >>> 0);
      expect(leWords(read(b, IVOUT, 16))).toEqual([1, 2, 3, 4]);
    });

    it('lowers the interrupt line', () => {
      const b = makeBoard();
      b.setReg(AesReg.IRQ_ENABLE, 0x20);
      b.push(0x8800_0000);
      expect(b.irq.level).toBe(true);
      b.aes.reset();
      expect(b.irq.level).toBe(false);
      expect(b.reg(AesReg.IRQ_STATUS)).toBe(0);
    });
  });

  describe('options and snapshots', () => {
    it('rejects an unknown quirks mode with a ConfigError', () => {
      expect(() => new AppleAes({ memory: new AddressSpace(), quirks: 'strict' as never })).toThrow(/apple-aes: property 'quirks' must be one of qemu, fixed/);
    });

    it('saveState/restoreState carries the FIFO, keys and IVs', () => {
      const a = makeBoard();
      const key = new Uint8Array(randomBytes(24));
      const iv = new Uint8Array(randomBytes(16));
      const data = new Uint8Array(randomBytes(32));
      a.push(keyCmd({ lenCode: 1, mode: 1, encrypt: true }), ...leWords(key), 0x2000_0000, ...leWords(iv), 0x5000_0020);
      const state = JSON.parse(JSON.stringify(a.aes.saveState()));
      const b = makeBoard();
      b.aes.restoreState(state);
      b.bus.writeBytes(SRC, data);
      b.push(...dataCmd(32, SRC, DST).slice(1));
      expect(toHex(read(b, DST, 32))).toBe(nodeCrypt('cbc', true, key, iv, data));
    });
  });

  describe('trace points (§2.9)', () => {
    it('emit under the spec names when enabled, and cost nothing when not', () => {
      const names = [
        'aes_read',
        'aes_write',
        'aes_2_read',
        'aes_2_write',
        'aes_cmd_key_select_builtin',
        'aes_cmd_key_select_new',
        'aes_cmd_iv',
        'aes_cmd_data',
        'aes_cmd_store_iv',
        'aes_cmd_flag',
        'aes_fifo_process',
        'aes_dump_data',
      ];
      const b = makeBoard({ quirks: 'fixed' });
      const run = () => {
        b.push(0x1181_0000, keyCmd({ encrypt: true }), 1, 2, 3, 4, 0x2000_0000, 1, 2, 3, 4);
        b.push(...dataCmd(32, SRC, DST), 0x6000_0000, IVOUT >>> 0, 0x8800_0001);
        b.reg(AesReg.STATUS);
        b.bus.read(AES2_BASE, 4);
        b.bus.write(AES2_BASE, 4, 1);
      };
      run();
      expect(b.entries.filter((e) => e.kind === 'trace')).toHaveLength(0);
      const traced = makeBoard({ quirks: 'fixed' });
      const seen = new Set<string>();
      traced.log.addSink((e) => e.kind === 'trace' && seen.add(e.source));
      expect(traced.aes.tracePoints.map((t) => t.name).sort()).toEqual([...names].sort());
      for (const tp of traced.aes.tracePoints) tp.enabled = true;
      traced.push(0x1181_0000, keyCmd({ encrypt: true }), 1, 2, 3, 4, 0x2000_0000, 1, 2, 3, 4);
      traced.push(...dataCmd(32, SRC, DST), 0x6000_0000, IVOUT >>> 0, 0x8800_0001);
      traced.reg(AesReg.STATUS);
      traced.bus.read(AES2_BASE, 4);
      traced.bus.write(AES2_BASE, 4, 1);
      expect([...seen].sort()).toEqual([...names].sort());
    });
  });
});
