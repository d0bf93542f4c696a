import { createRequire } from 'node:module';

/** Capstone (BSD-3, WebAssembly build from npm) as an in-process AArch64 disassembler. */
export interface Disassembler {
  /** Text of one instruction word, or null when Capstone rejects the encoding. */
  text(word: number, address?: number): string | null;
}

interface CapstoneInsn {
  mnemonic: string;
  op_str: string;
}
interface CapstoneModule {
  Capstone: new (arch: number, mode: number) => { disasm(bytes: number[], address: number): CapstoneInsn[] };
  ARCH_ARM64: number;
  MODE_ARM: number;
}

let loading: Promise<Disassembler> | undefined;

export function loadCapstone(): Promise<Disassembler> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    let factory: () => Promise<CapstoneModule>;
    try {
      factory = require('@alexaltea/capstone-js') as () => Promise<CapstoneModule>;
    } catch {
      throw new Error('@alexaltea/capstone-js is not installed (it is a root devDependency: run npm install at the repo root)');
    }
    const cs = await factory();
    const d = new cs.Capstone(cs.ARCH_ARM64, cs.MODE_ARM);
    const bytes = [0, 0, 0, 0];
    return {
      text(word: number, address = 0): string | null {
        bytes[0] = word & 0xff;
        bytes[1] = (word >>> 8) & 0xff;
        bytes[2] = (word >>> 16) & 0xff;
        bytes[3] = word >>> 24;
        try {
          const r = d.disasm(bytes, address);
          if (r.length !== 1) return null;
          return `${r[0]!.mnemonic} ${r[0]!.op_str}`.trim();
        } catch {
          return null; // capstone.js throws when nothing decodes
        }
      },
    };
  })();
  return loading;
}

/** Listing of words at `address` (one line per word). */
export function listing(d: Disassembler, words: readonly number[], address: number): string {
  return words
    .map((w, i) => {
      const at = address + 4 * i;
      return `  ${at.toString(16).padStart(8, '0')}: ${w.toString(16).padStart(8, '0')}  ${d.text(w, at) ?? '<undefined>'}`;
    })
    .join('\n');
}
