import { MemoryBlockBackend } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { VmappleBoard } from '../src/board.js';
import { MEMORY_MAP } from '../src/memory-map.js';

const firmware = Uint8Array.from([0x1f, 0x20, 0x03, 0xd5]); // NOP

function board(disks: ConstructorParameters<typeof VmappleBoard>[0]['disks'] = []) {
  return new VmappleBoard({ memorySize: 64 << 20, firmware, disks, clock: 'deterministic', rtcEpochSeconds: 0 });
}

/** Reads a config dword of bus 0 through the board's ECAM window, as a guest would. */
function ecam(b: VmappleBoard, slot: number, reg: number): number {
  return b.memory.read(MEMORY_MAP.pcieEcam.base + (slot << 15) + reg, 4);
}

describe('VmappleBoard composition', () => {
  it("plugs xHCI first, then the disks in order: Apple variants and standard virtio-blk (spec §1.9)", () => {
    const b = board([
      { backend: new MemoryBlockBackend(4096), variant: 'aux' },
      { backend: new MemoryBlockBackend(4096), variant: 'root' },
      { backend: new MemoryBlockBackend(4096) },
    ]);
    expect(ecam(b, 0, 0)).toBe(0x0008_1b36);
    expect(ecam(b, 1, 0)).toBe(0x000d_1b36);
    expect(ecam(b, 2, 0)).toBe(0x1a00_106b);
    expect(ecam(b, 3, 0)).toBe(0x1a00_106b);
    expect(ecam(b, 4, 0)).toBe(0x1042_1af4);
    expect(ecam(b, 5, 0)).toBe(0xffff_ffff);
  });

  it('rejects bad options with one sentence', () => {
    expect(() => new VmappleBoard({ memorySize: 64 << 20, cpus: 33, firmware })).toThrow(/'cpus' must be at most 32, got 33/);
    expect(() => new VmappleBoard({ memorySize: 64 << 20 })).toThrow(/exactly one of firmware/);
    expect(() => new VmappleBoard({ memorySize: 64 << 20, firmware: new Uint8Array((1 << 20) + 1) })).toThrow(/at most 1048576 bytes/);
  });

  it('restores the firmware image on reset (it is a ROM blob) and starts CPU 0 there', () => {
    const b = board();
    b.memory.write(MEMORY_MAP.firmware.base, 4, 0xdeadbeef);
    b.reset();
    expect(b.memory.read(MEMORY_MAP.firmware.base, 4)).toBe(0xd503201f);
    expect(b.cpus[0]!.getPc()).toBe(BigInt(MEMORY_MAP.firmware.base));
  });

  it('holds the power button (GPIO line 3) for 100 ms of virtual time', () => {
    const b = board();
    const data = () => b.memory.read(MEMORY_MAP.gpio.base + (0xff << 2), 1);
    expect(data() & 8).toBe(0);
    b.pressPowerButton();
    expect(data() & 8).toBe(8);
    b.clock.advance(99_000_000);
    b.clock.runDue();
    expect(data() & 8).toBe(8);
    b.clock.advance(1_000_000);
    b.clock.runDue();
    expect(data() & 8).toBe(0);
  });

  it('passes typed input to the UART without losing bytes beyond its FIFO', () => {
    const b = board();
    const text = 'x'.repeat(100);
    b.sendSerial(new TextEncoder().encode(text));
    let got = '';
    for (let i = 0; i < 200; i++) {
      const fr = b.memory.read(MEMORY_MAP.uart.base + 0x18, 4);
      if (fr & 0x10) break; // RXFE
      got += String.fromCharCode(b.memory.read(MEMORY_MAP.uart.base, 4) & 0xff);
    }
    expect(got).toBe(text);
  });
});
