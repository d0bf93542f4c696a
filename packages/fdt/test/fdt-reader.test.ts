import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FdtError, FdtReader, type FdtReadNode, FdtWriter } from '../src/index.js';
import { compile, decompile, recompile, requireDtc } from './dtc.js';

beforeAll(() => requireDtc());

// Labels and references make dtc allocate phandles itself; /bits/ 64 and
// byte strings exercise the other value encodings.
const SOURCE = `/dts-v1/;
/memreserve/ 0x80000000 0x10000;
/memreserve/ 0x1000 0x20;
/ {
  model = "round trip";
  compatible = "test,board", "test,generic";
  #address-cells = <2>;
  #size-cells = <2>;
  interrupt-parent = <&gic>;
  gic: interrupt-controller@8000000 {
    compatible = "arm,gic-v3";
    interrupt-controller;
    #interrupt-cells = <3>;
    reg = <0x0 0x8000000 0x0 0x10000>;
  };
  pcie@10000000 {
    device_type = "pci";
    bus-range = <0x0 0xff>;
    interrupt-map-mask = <0x1800 0x0 0x0 0x7>;
    interrupt-map = <0x0 0x0 0x0 0x1 &gic 0x0 0x3 0x4>;
    big = /bits/ 64 <0x123456789abcdef0 0x1>;
    bytes = [00 01 fe ff];
    dma-coherent;
    child@1,2 {
      reg = <0x0 0x1>;
    };
  };
};
`;

/** Copies a parsed tree into a writer, property bytes as they are. */
function rewrite(r: FdtReader): Uint8Array {
  const w = new FdtWriter({ memReserve: r.memReserve, bootCpuid: r.bootCpuid });
  const copy = (n: FdtReadNode) => {
    const node = w.beginNode(n.name);
    for (const p of n.properties) w.property(p.name, p.value);
    n.children.forEach(copy);
    w.endNode(node);
  };
  copy(r.root);
  return w.finish();
}

describe('FdtReader on blobs dtc compiled', () => {
  it('reads the values the source states', () => {
    const r = new FdtReader(compile(SOURCE, ['-b', '2']));
    expect(r.version).toBe(17);
    expect(r.bootCpuid).toBe(2);
    expect(r.memReserve).toEqual([
      { address: 0x8000_0000n, size: 0x1_0000n },
      { address: 0x1000n, size: 0x20n },
    ]);
    expect(r.root.name).toBe('');
    expect(r.root.string('model')).toBe('round trip');
    expect(r.root.strings('compatible')).toEqual(['test,board', 'test,generic']);
    const gic = r.find('/interrupt-controller@8000000')!;
    const phandle = gic.u32('phandle')!;
    expect(phandle).toBeGreaterThan(0);
    expect(r.root.u32('interrupt-parent')).toBe(phandle);
    expect(gic.prop('interrupt-controller')).toEqual(new Uint8Array(0));
    const pcie = r.find('/pcie@10000000')!;
    expect(pcie.u32Array('interrupt-map')).toEqual([0, 0, 0, 1, phandle, 0, 3, 4]);
    expect(pcie.u32Array('bus-range')).toEqual([0, 0xff]);
    expect(pcie.prop('big')).toEqual(new Uint8Array([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(pcie.prop('bytes')).toEqual(new Uint8Array([0, 1, 0xfe, 0xff]));
    expect(pcie.u32('bytes')).toBe(0x0001feff);
    expect(pcie.u64('bytes')).toBeUndefined();
    expect(pcie.find('child@1,2')!.u32Array('reg')).toEqual([0, 1]);
    expect(r.find('/pcie@10000000/child@1,2')).toBe(pcie.children[0]);
    expect(r.find('/nope')).toBeUndefined();
    expect(pcie.string('bytes')).toBeUndefined(); // not NUL-terminated
    expect(pcie.u64Array('big')).toEqual([0x1234_5678_9abc_def0n, 1n]);
    expect(pcie.u64Array('bytes')).toBeUndefined();
    expect(r.byPhandle(phandle)).toBe(gic);
    expect(r.byPhandle(phandle + 100)).toBeUndefined();
    expect([...r.nodes()].map((n) => n.path)).toEqual(['/', '/interrupt-controller@8000000', '/pcie@10000000', '/pcie@10000000/child@1,2']);
  });

  it("a real board's tree: QEMU virt's DTB → FdtReader → FdtWriter decompiles like the original", () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdt-virt-'));
    try {
      const dtbPath = join(dir, 'virt.dtb');
      const r = spawnSync(
        'qemu-system-aarch64',
        ['-machine', `virt,gic-version=3,dumpdtb=${dtbPath}`, '-cpu', 'cortex-a72', '-smp', '2', '-nographic', '-nic', 'none'],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (r.error) throw new Error(`qemu-system-aarch64: ${r.error.message}; install it with \`apt-get install --no-install-recommends qemu-system-arm\``);
      const original = new Uint8Array(readFileSync(dtbPath));
      const tree = new FdtReader(original);
      expect(tree.find('/cpus/cpu@1')!.string('device_type')).toBe('cpu');
      expect(tree.find('/chosen')).toBeDefined();
      const again = rewrite(tree);
      expect(again.length).toBeLessThan(original.length); // QEMU pads its blob to 1 MiB
      expect(decompile(again)).toBe(decompile(original));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('round trip: dts → dtc → FdtReader → FdtWriter decompiles like the original blob', () => {
    const original = compile(SOURCE, ['-b', '2']);
    const again = rewrite(new FdtReader(original));
    expect(decompile(again)).toBe(decompile(original));
    expect(new FdtReader(again).bootCpuid).toBe(2);
  });
});

// ---- property-based: random trees -----------------------------------------------------

interface Model {
  name: string;
  props: Array<[string, Uint8Array]>;
  children: Model[];
}

const nodeName = fc.stringMatching(/^[a-z][a-z0-9,._+-]{0,12}(@[0-9a-f]{1,8})?$/);
const propName = fc.stringMatching(/^[a-z][a-z0-9,._+?#-]{0,15}$/).filter((n) => n !== 'phandle' && n !== 'linux,phandle');
const propValue = fc.uint8Array({ maxLength: 24 });
const props = fc.uniqueArray(fc.tuple(propName, propValue), { maxLength: 5, selector: (p) => p[0] });
function nodeArb(depth: number): fc.Arbitrary<Model> {
  const children = depth === 0 ? fc.constant<Model[]>([]) : fc.uniqueArray(nodeArb(depth - 1), { maxLength: 3, selector: (c) => c.name });
  return fc.record({ name: nodeName, props, children });
}
const tree: fc.Arbitrary<Model> = fc
  .tuple(props, fc.uniqueArray(nodeArb(2), { maxLength: 4, selector: (c) => c.name }))
  .map(([p, children]) => ({ name: '', props: p, children }));

function write(m: Model): Uint8Array {
  const w = new FdtWriter();
  const emit = (n: Model) => {
    const tok = w.beginNode(n.name);
    for (const [k, v] of n.props) w.property(k, v);
    n.children.forEach(emit);
    w.endNode(tok);
  };
  emit(m);
  return w.finish();
}

function toModel(n: FdtReadNode): Model {
  return { name: n.name, props: n.properties.map((p) => [p.name, p.value]), children: n.children.map(toModel) };
}

describe('random trees', () => {
  it('writer → reader gives back the tree', () => {
    fc.assert(
      fc.property(tree, (m) => {
        expect(toModel(new FdtReader(write(m)).root)).toEqual(m);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('writer → dtc (parses and rewrites the blob) → reader gives back the tree', () => {
    fc.assert(
      fc.property(tree, (m) => {
        expect(toModel(new FdtReader(recompile(write(m))).root)).toEqual(m);
      }),
      { numRuns: 40 },
    );
  }, 60_000);

  it('the reader throws only FdtError on corrupted blobs', () => {
    const base = compile(SOURCE);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(base.length),
        (edits, cut) => {
          const blob = base.slice(0, Math.max(cut, 40));
          for (const [at, v] of edits) if (at < blob.length) blob[at] = v;
          try {
            new FdtReader(blob);
          } catch (e) {
            expect(e).toBeInstanceOf(FdtError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  }, 30_000);

  it('the reader rejects blobs that are not device trees', () => {
    expect(() => new FdtReader(new Uint8Array(10))).toThrow(/shorter than the header/);
    expect(() => new FdtReader(new Uint8Array(64))).toThrow(/bad magic/);
  });
});
