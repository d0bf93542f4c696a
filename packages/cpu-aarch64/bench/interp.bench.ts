import { bench, describe } from 'vitest';
import { assemble, machine } from '../test/helpers.js';

/**
 * Guest MIPS of the interpreter on small loops (MMU off, RAM only):
 * - alu: the research notes' 8-instruction loop (ADD, LDR, ADDS, EOR, LSR, STR, SUBS, B.NE);
 * - call: BL/RET with stack pushes and pops (LDP/STP pre/post-index), a compare and CSEL.
 */
const ALU = `
  mov x0, #0
  mov x1, #0x1234
  mov x4, sp
  sub x4, x4, #4096
  ldr x2, =LOOPS
1:
  add x0, x0, #3
  ldr x3, [x4, #8]
  adds x1, x1, x3
  eor x5, x1, x0
  lsr x6, x5, #7
  str x6, [x4, #8]
  subs x2, x2, #1
  b.ne 1b
  hvc #0xffff
`;

const CALL = `
  ldr x19, =LOOPS
  mov x20, #0
1:
  mov x0, x19
  bl f
  add x20, x20, x0
  subs x19, x19, #1
  b.ne 1b
  hvc #0xffff
f:
  stp x29, x30, [sp, #-16]!
  mov x29, sp
  and x1, x0, #7
  cmp x1, #3
  csel x0, x1, x0, lo
  ldp x29, x30, [sp], #16
  ret
`;

/** Wall-clock and CPU-time rates (the CPU-time figure is meaningful on a shared, loaded machine). */
function mips(src: string, loops: number): { mips: number; cpuMips: number; retired: number; ms: number } {
  const code = assemble(src.replace('LOOPS', String(loops)));
  const m = machine(code);
  const t = performance.now();
  const c0 = process.cpuUsage();
  const r = m.cpu.run(Number.MAX_SAFE_INTEGER);
  const cpuMs = process.cpuUsage(c0).user / 1000;
  const ms = performance.now() - t;
  if (r !== 'exit') throw new Error(`loop did not finish: ${r}`);
  return { mips: m.cpu.retired / ms / 1000, cpuMips: m.cpu.retired / cpuMs / 1000, retired: m.cpu.retired, ms };
}

for (const [name, src] of [
  ['alu', ALU],
  ['call', CALL],
] as const) {
  mips(src, 1_000_000); // warm-up (optimising compiler)
  const r = mips(src, 10_000_000);
  console.log(
    `cpu-aarch64 interpreter, ${name} loop: ${r.retired} instructions in ${r.ms.toFixed(0)} ms = ` +
      `${r.mips.toFixed(1)} guest MIPS (wall), ${r.cpuMips.toFixed(1)} MIPS per CPU-second`,
  );
}

describe('cpu-aarch64 interpreter: small loops', () => {
  bench('alu loop, 1 M iterations', () => {
    mips(ALU, 1_000_000);
  }, { iterations: 5, time: 0, warmupIterations: 1 });
});
