import { bench, describe } from 'vitest';
import { AddressSpace, IrqLine, MmioRegion, RamRegion, WiredOr } from '../src/index.js';

// Each iteration performs N operations so per-call overhead of the bench
// harness does not dominate: divide the reported time by N for ns/op.
const N = 1000;

const as = new AddressSpace();
const ram = new RamRegion('ram', 1 << 20);
as.mapRam(0x7000_0000, ram);
let reg = 0;
// A few regions around the device so lookup is a real search.
for (let i = 0; i < 16; i++) {
  as.mapMmio(
    0x2000_0000 + i * 0x1_0000,
    new MmioRegion({
      name: `dev${i}`,
      size: 0x1000,
      handler: {
        read: () => reg,
        write: (_o, _s, v) => {
          reg = v;
        },
      },
    }),
  );
}

let sink = 0;
describe('core-bus (1000 operations per iteration)', () => {
  bench('MMIO 4-byte read, same device', () => {
    for (let i = 0; i < N; i++) sink ^= as.read(0x2005_0004, 4);
  });
  bench('MMIO 4-byte write, same device', () => {
    for (let i = 0; i < N; i++) as.write(0x2005_0004, 4, i);
  });
  bench('MMIO 4-byte read, alternating devices', () => {
    for (let i = 0; i < N; i++) sink ^= as.read(0x2000_0000 + (i & 15) * 0x1_0000, 4);
  });
  bench('RAM 4-byte read via the generic path', () => {
    for (let i = 0; i < N; i++) sink ^= as.read(0x7000_0000 + ((i * 64) & 0xfffff), 4);
  });
  const or = new WiredOr();
  let level = false;
  or.output.connect({ setLevel: (l) => (level = l) });
  const a = new IrqLine().connect(or.input());
  const b = new IrqLine().connect(or.input());
  bench('IRQ raise+lower through a wired-OR into a sink', () => {
    for (let i = 0; i < N; i++) {
      a.raise();
      b.raise();
      a.lower();
      b.lower();
    }
    if (level) sink++;
  });
});

// Keeps the reads observable so the JIT cannot drop them.
export const observed = () => sink;
