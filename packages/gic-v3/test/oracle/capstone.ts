import { createRequire } from 'node:module';

/**
 * Capstone (BSD-3, WebAssembly build from npm) as an independent oracle for
 * system-register encodings: it names the register an MRS/MSR word targets.
 */
interface CapstoneInsn {
  mnemonic: string;
  op_str: string;
}
interface CapstoneModule {
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[], address: number): CapstoneInsn[] };
  ARCH_ARM64: number;
  MODE_ARM: number;
}

export type Disassemble = (word: number) => string | null;

export async function loadCapstone(): Promise<Disassemble> {
  const require = createRequire(import.meta.url);
  const factory = require('@alexaltea/capstone-js') as () => Promise<CapstoneModule>;
  const cs = await factory();
  const d = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
  return (word: number) => {
    const bytes = [word & 0xff, (word >>> 8) & 0xff, (word >>> 16) & 0xff, word >>> 24];
    try {
      const r = d.disasm(bytes, 0);
      return r.length === 1 ? `${r[0]!.mnemonic} ${r[0]!.op_str}`.trim() : null;
    } catch {
      return null;
    }
  };
}
