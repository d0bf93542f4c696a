import { beforeAll, describe, expect, it } from 'vitest';
import { FdtError, FdtReader, FdtWriter } from '../src/index.js';
import { compile, decompile, fdtdumpHeader, requireDtc } from './dtc.js';

beforeAll(() => requireDtc());

/** A tree shaped like a small arm64 board, written with every property helper. */
function boardTree(): Uint8Array {
  const w = new FdtWriter({ memReserve: [{ address: 0x7800_0000, size: 0x1000 }], bootCpuid: 0 });
  w.addMemReserve(0x4000_0000n, 0x10_0000n); // entries keep their order, as with dtc
  const root = w.beginNode('');
  w.property('compatible', ['apple,vmapple', 'linux,dummy-virt']);
  w.propertyU32('#address-cells', 2);
  w.propertyU32('#size-cells', 2);
  w.propertyU32('interrupt-parent', 1);
  const chosen = w.beginNode('chosen');
  w.propertyString('bootargs', 'console=ttyAMA0 earlycon');
  w.propertyString('stdout-path', '/pl011@20010000');
  w.propertyU64('linux,initrd-start', 0x7a00_0000);
  w.propertyU64('linux,initrd-end', 0x1_0000_0000n);
  w.endNode(chosen);
  const mem = w.beginNode('memory@70000000');
  w.propertyString('device_type', 'memory');
  w.propertyArrayU64('reg', [0x7000_0000, 0x4000_0000]);
  w.endNode(mem);
  const intc = w.beginNode('intc@10000000');
  w.propertyStringList('compatible', ['arm,gic-v3']);
  w.propertyNull('interrupt-controller');
  w.propertyU32('#interrupt-cells', 3);
  w.propertyArrayU32('reg', [0, 0x1000_0000, 0, 0x1_0000, 0, 0x1001_0000, 0, 0x40_0000]);
  w.propertyPhandle(1);
  w.endNode(intc);
  const uart = w.beginNode('pl011@20010000');
  w.property('compatible', 'arm,pl011');
  w.property('raw', new Uint8Array([0xde, 0xad, 0xbe]));
  w.propertyArrayU32('empty-cells', []);
  w.endNode(uart);
  w.endNode(root);
  return w.finish();
}

const BOARD_DTS = `/dts-v1/;
/memreserve/ 0x78000000 0x1000;
/memreserve/ 0x40000000 0x100000;
/ {
  compatible = "apple,vmapple", "linux,dummy-virt";
  #address-cells = <2>;
  #size-cells = <2>;
  interrupt-parent = <1>;
  chosen {
    bootargs = "console=ttyAMA0 earlycon";
    stdout-path = "/pl011@20010000";
    linux,initrd-start = <0x0 0x7a000000>;
    linux,initrd-end = /bits/ 64 <0x100000000>;
  };
  memory@70000000 {
    device_type = "memory";
    reg = <0x0 0x70000000 0x0 0x40000000>;
  };
  intc@10000000 {
    compatible = "arm,gic-v3";
    interrupt-controller;
    #interrupt-cells = <3>;
    reg = <0 0x10000000 0 0x10000>, <0 0x10010000 0 0x400000>;
    phandle = <1>;
  };
  pl011@20010000 {
    compatible = "arm,pl011";
    raw = [de ad be];
    empty-cells;
  };
};
`;

describe('FdtWriter output, decompiled by dtc', () => {
  it('decompiles to the same source as the hand-written dts compiled by dtc', () => {
    expect(decompile(boardTree())).toBe(decompile(compile(BOARD_DTS)));
  });

  it('has a version 17 header that fdtdump reads back', () => {
    const blob = boardTree();
    const h = fdtdumpHeader(blob);
    expect(h.get('magic')).toBe('0xd00dfeed');
    expect(h.get('version')).toBe('17');
    expect(h.get('last_comp_version')).toBe('16');
    expect(Number(h.get('totalsize'))).toBe(blob.length);
    expect(Number(h.get('off_mem_rsvmap'))).toBe(40);
    expect(Number(h.get('boot_cpuid_phys'))).toBe(0);
  });

  it('writes boot_cpuid_phys', () => {
    const w = new FdtWriter({ bootCpuid: 3 });
    w.setBootCpuid(5);
    w.endNode(w.beginNode(''));
    const blob = w.finish();
    expect(Number(fdtdumpHeader(blob).get('boot_cpuid_phys'))).toBe(5);
    // dtc -b sets the same field: its blob must say the same thing.
    expect(fdtdumpHeader(compile('/dts-v1/; / { };', ['-b', '5'])).get('boot_cpuid_phys')).toBe('0x5');
  });

  it('an empty root alone is a valid tree', () => {
    const w = new FdtWriter();
    w.endNode(w.beginNode(''));
    expect(decompile(w.finish())).toBe(decompile(compile('/dts-v1/; / { };')));
  });

  it('stores each property name once in the strings block', () => {
    const w = new FdtWriter();
    const root = w.beginNode('');
    w.propertyU32('#address-cells', 1);
    for (let i = 0; i < 5; i++) {
      const n = w.beginNode(`dev@${i}`);
      w.propertyString('compatible', 'x,y');
      w.propertyU32('reg', i);
      w.endNode(n);
    }
    w.endNode(root);
    const blob = w.finish();
    const names = ['#address-cells', 'compatible', 'reg'];
    const expected = names.reduce((n, s) => n + s.length + 1, 0);
    expect(Number(fdtdumpHeader(blob).get('size_dt_strings'))).toBe(expected);
    const dts = decompile(blob);
    expect(dts.match(/reg = /g)).toHaveLength(5);
    expect(dts).toContain('dev@4 {\n\t\tcompatible = "x,y";\n\t\treg = <0x04>;');
  });

  it('the reader parses what the writer wrote', () => {
    const r = new FdtReader(boardTree());
    expect(r.memReserve).toEqual([
      { address: 0x7800_0000n, size: 0x1000n },
      { address: 0x4000_0000n, size: 0x10_0000n },
    ]);
    expect(r.root.strings('compatible')).toEqual(['apple,vmapple', 'linux,dummy-virt']);
    expect(r.find('/chosen')!.u64('linux,initrd-end')).toBe(0x1_0000_0000n);
    expect(r.find('/intc@10000000')!.u32('phandle')).toBe(1);
    expect(r.find('/intc@10000000')!.prop('interrupt-controller')).toEqual(new Uint8Array(0));
  });
});

describe('FdtWriter validation', () => {
  function started(): { w: FdtWriter; root: ReturnType<FdtWriter['beginNode']> } {
    const w = new FdtWriter();
    return { w, root: w.beginNode('') };
  }

  it('rejects unbalanced nodes', () => {
    const { w } = started();
    w.beginNode('a');
    expect(() => w.finish()).toThrow(/\/a is still open/);

    const b = started();
    const a = b.w.beginNode('a');
    b.w.beginNode('b');
    expect(() => b.w.endNode(a)).toThrow(/out of order: the innermost open node is \/a\/b/);

    const c = started();
    c.w.endNode(c.root);
    expect(() => c.w.endNode(c.root)).toThrow(/no open node/);
    expect(() => new FdtWriter().finish()).toThrow(/no root/);
  });

  it('rejects a first node that is not the root, and a second root', () => {
    expect(() => new FdtWriter().beginNode('a')).toThrow(/first node must be the root/);
    const { w, root } = started();
    w.endNode(root);
    expect(() => w.beginNode('')).toThrow(/outside the root/);
    expect(() => w.propertyU32('x', 1)).toThrow(/outside any node/);
  });

  it.each([
    ['has space', /only letters/],
    ['a/b', /only letters/],
    ['', /empty/],
    ['@1', /empty/],
    ['dev@', /unit address after @ is empty/],
    ['dev@1@2', /unit address may contain/],
    ['x'.repeat(32), /longer than 31/],
    ['caf\u00e9', /only letters/],
  ])('rejects node name %j', (name, message) => {
    const { w } = started();
    expect(() => w.beginNode(name)).toThrow(FdtError);
    expect(() => w.beginNode(name)).toThrow(message);
  });

  it('accepts the node names the specification allows', () => {
    const { w, root } = started();
    for (const name of ['cpus', 'cpu@0', 'pcie@10000000', 'A,b._+-9', 'x'.repeat(31) + '@1,2']) w.endNode(w.beginNode(name));
    w.endNode(root);
    expect(() => w.finish()).not.toThrow();
  });

  it.each([
    ['', /empty/],
    ['has space', /only letters/],
    ['a@b', /only letters/],
    ['p'.repeat(32), /longer than 31/],
  ])('rejects property name %j', (name, message) => {
    const { w } = started();
    expect(() => w.propertyNull(name)).toThrow(message);
  });

  it('rejects a property after a child node, duplicates and bad values', () => {
    const { w } = started();
    w.propertyU32('#size-cells', 2);
    expect(() => w.propertyU32('#size-cells', 2)).toThrow(/duplicate property '#size-cells' in \//);
    w.endNode(w.beginNode('child'));
    expect(() => w.beginNode('child')).toThrow(/duplicate node name 'child'/);
    expect(() => w.propertyU32('late', 1)).toThrow(/'late' in \/ comes after a child node/);
    const n = w.beginNode('n');
    expect(() => w.propertyU32('v', -1)).toThrow(/0xffffffff/);
    expect(() => w.propertyU32('v', 2 ** 32)).toThrow(/0xffffffff/);
    expect(() => w.propertyU32('v', 1.5)).toThrow(/0xffffffff/);
    expect(() => w.propertyU64('v', -1n)).toThrow(/64 unsigned bits/);
    expect(() => w.propertyU64('v', 2n ** 64n)).toThrow(/64 unsigned bits/);
    expect(() => w.propertyU64('v', 2 ** 53)).toThrow(/safe integer/);
    expect(() => w.propertyString('s', 'a\0b')).toThrow(/NUL/);
    w.endNode(n);
  });

  it('rejects invalid and duplicate phandles', () => {
    const { w } = started();
    expect(() => w.propertyPhandle(0)).toThrow(/phandle must be from 1/);
    expect(() => w.propertyPhandle(0xffff_ffff)).toThrow(/phandle must be from 1/);
    const a = w.beginNode('a');
    w.propertyPhandle(7);
    w.endNode(a);
    w.beginNode('b');
    expect(() => w.propertyPhandle(7)).toThrow(/duplicate phandle 7/);
  });

  it('rejects bad memory reservations and use after finish', () => {
    const w = new FdtWriter();
    w.addMemReserve(0x1000, 0x1000);
    expect(() => w.addMemReserve(0x1800, 0x1000)).toThrow(/overlaps/);
    expect(() => w.addMemReserve(0x0, 0x1001)).toThrow(/overlaps/);
    expect(() => w.addMemReserve(0x3000, 0)).toThrow(/size 0/);
    expect(() => w.addMemReserve(2n ** 64n - 1n, 2n)).toThrow(/wraps/);
    w.addMemReserve(0x2000, 0x1000); // adjacent is fine
    w.endNode(w.beginNode(''));
    w.finish();
    expect(() => w.finish()).toThrow(/finished/);
    expect(() => w.beginNode('')).toThrow(/finished/);
  });
});
