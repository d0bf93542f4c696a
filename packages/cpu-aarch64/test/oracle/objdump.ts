import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireTools, run, tempDir } from './tools.js';

/** GNU objdump's opinion of each word: its text, or null for "undefined". */
export function objdumpTexts(words: readonly number[]): Array<string | null> {
  requireTools('aarch64-linux-gnu-objdump');
  if (words.length === 0) return [];
  const { dir, cleanup } = tempDir('oracle-objdump-');
  try {
    const bytes = new Uint8Array(words.length * 4);
    const v = new DataView(bytes.buffer);
    words.forEach((w, i) => v.setUint32(i * 4, w, true));
    const file = join(dir, 'words.bin');
    writeFileSync(file, bytes);
    const out = run('aarch64-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 'aarch64', file]);
    const result: Array<string | null> = new Array<string | null>(words.length).fill(null);
    for (const line of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$/.exec(line);
      if (!m) continue;
      const index = parseInt(m[1]!, 16) / 4;
      const text = m[3]!.trim();
      result[index] = /undefined/.test(text) ? null : text;
    }
    return result;
  } finally {
    cleanup();
  }
}
