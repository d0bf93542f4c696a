import { bench, describe } from 'vitest';
import { GicV3, ICC_ENCODINGS } from '../src/index.js';

// Each iteration performs N operations: divide the reported time by N for ns/op.
const N = 1000;
const E = ICC_ENCODINGS;
const out = { lo: 0, hi: 0 };

function booted(cpus: number): GicV3 {
  const gic = new GicV3({ cpus });
  const d = gic.distributor.handler;
  d.write(0x0, 4, 0x13);
  for (let w = 1; w < 9; w++) {
    d.write(0x80 + 4 * w, 4, 0xffff_ffff);
    d.write(0x100 + 4 * w, 4, 0xffff_ffff);
  }
  for (let id = 32; id < 288; id += 4) d.write(0x400 + id, 4, 0xa0a0_a0a0);
  const r = gic.redistributors.handler;
  for (let c = 0; c < cpus; c++) {
    r.write(c * 0x2_0000 + 0x14, 4, 0);
    r.write(c * 0x2_0000 + 0x1_0080, 4, 0xffff_ffff);
    r.write(c * 0x2_0000 + 0x1_0100, 4, 0xffff_ffff);
    gic.writeSysreg(c, E.ICC_PMR_EL1, 0xf0, 0);
    gic.writeSysreg(c, E.ICC_IGRPEN1_EL1, 1, 0);
  }
  return gic;
}

for (const cpus of [1, 32]) {
  const gic = booted(cpus);
  describe(`gic-v3, ${cpus} CPU(s) (${N} operations per iteration)`, () => {
    bench('level SPI: raise, IAR1, lower, EOIR1', () => {
      for (let i = 0; i < N; i++) {
        gic.setInput(1, true);
        gic.readSysreg(0, E.ICC_IAR1_EL1, out);
        gic.setInput(1, false);
        gic.writeSysreg(0, E.ICC_EOIR1_EL1, out.lo, 0);
      }
    });
    bench('SGI1R to CPU 0, IAR1, EOIR1', () => {
      for (let i = 0; i < N; i++) {
        gic.writeSysreg(0, E.ICC_SGI1R_EL1, (1 << 24) | 1, 0);
        gic.readSysreg(0, E.ICC_IAR1_EL1, out);
        gic.writeSysreg(0, E.ICC_EOIR1_EL1, out.lo, 0);
      }
    });
    bench('input toggle with no change of pending state (edge SPI falling)', () => {
      for (let i = 0; i < N; i++) gic.setInput(200, (i & 1) === 0);
    });
  });
}
