import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MemoryBlockBackend } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { VmappleBoard } from '../src/board.js';

const firmwareDir = fileURLToPath(new URL('../firmware/', import.meta.url));

function runDemo(extra: { cpus?: number; uuid?: bigint } = {}) {
  const out: string[] = [];
  const rootImage = new Uint8Array(readFileSync(firmwareDir + 'demo-root.img'));
  const board = new VmappleBoard({
    memorySize: 256 << 20,
    firmware: new Uint8Array(readFileSync(firmwareDir + 'vmapple-demo.bin')),
    disks: [{ backend: new MemoryBlockBackend(rootImage), variant: 'root' }],
    clock: 'deterministic',
    rtcEpochSeconds: 1_764_000_000, // 2025-11-24 16:00:00 UTC
    serialOut: (b) => out.push(new TextDecoder().decode(b)),
    ...extra,
  });
  let exit = null;
  for (let i = 0; i < 500 && !exit; i++) exit = board.step().exit;
  return { exit, text: out.join('').replace(/\r/g, ''), board };
}

describe('the bundled demo firmware on the board (interpreter)', () => {
  const { exit, text } = runDemo({ cpus: 2, uuid: 0x1122334455667788n });

  it('powers off through PSCI SYSTEM_OFF', () => {
    expect(text).toContain('powering off via PSCI SYSTEM_OFF');
    expect(exit).toBe('poweroff');
  });

  it('prints the cfg values the board put there', () => {
    expect(text).toContain('cfg: version 2, cpus 2, ram 256 MiB, ecid 0x1122334455667788');
    expect(text).toContain('cfg: serial "1234", model "VM0001", soc "Apple M1 (Virtual)"');
  });

  it('encrypts with the AES engine exactly as node:crypto does, and decrypts back', () => {
    const key = new Uint8Array(32);
    key[0] = 1; // built-in key 1
    const iv = Uint8Array.from({ length: 16 }, (_, i) => i);
    // The firmware encrypts its 63-character message and the terminating NUL.
    const plain = Buffer.from('vmapple-ts AES engine self test, 64 bytes of plain text here...\0', 'latin1');
    const c = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
    const expected = Buffer.concat([c.update(plain), c.final()]).subarray(0, 16).toString('hex');
    expect(text).toContain(`ciphertext ${expected}...; decrypt matches`);
  });

  it('reads sector 0 of the root disk through the backdoor', () => {
    expect(text).toContain('bdif: root sector 0: "Hello from the root disk, read through the vmapple backdoor."');
  });

  it("lists the PCI functions from ECAM in QEMU's slot order: host bridge, xHCI, the Apple disk", () => {
    expect(text).toContain('pci: 00:00.0 1b36:0008 class 060000');
    expect(text).toContain('pci: 00:01.0 1b36:000d class 0c0330');
    expect(text).toContain('pci: 00:02.0 106b:1a00 class 010000');
  });

  it('reads the RTC', () => {
    expect(text).toMatch(/rtc: 2025-11-24 16:00:0\d UTC \(176400000\d\)/);
  });
});
