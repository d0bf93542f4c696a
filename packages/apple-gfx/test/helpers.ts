import { AddressSpace, IrqProbe, Log, type LogEntry, RamRegion } from '@vmapple/core-bus';
import { APPLE_GFX_MMIO, AppleGfxMmio, CallbackDisplaySink, FakePvgBridge, type RgbaFrame } from '../src/index.js';

export const RAM_BASE = 0x7000_0000;

export function mmioRig(options: { displayModes?: string[]; mmioLength?: number } = {}) {
  const memory = new AddressSpace();
  const ram = new RamRegion('ram', 0x10_0000);
  memory.mapRam(RAM_BASE, ram);
  const bridge = new FakePvgBridge(options.mmioLength ?? 0x4000);
  const frames: RgbaFrame[] = [];
  const sink = new CallbackDisplaySink((f) => frames.push(f));
  const entries: LogEntry[] = [];
  const log = new Log((e) => entries.push(e));
  const gfx = new AppleGfxMmio({ bridge, memory, sink, log, displayModes: options.displayModes });
  memory.mapMmio(APPLE_GFX_MMIO.GFX_BASE, gfx.gfx);
  memory.mapMmio(APPLE_GFX_MMIO.IOSFC_BASE, gfx.iosfc);
  const gfxIrq = new IrqProbe();
  const iosfcIrq = new IrqProbe();
  gfx.gfxIrq.connect(gfxIrq);
  gfx.iosfcIrq.connect(iosfcIrq);
  return { memory, ram, bridge, frames, sink, entries, log, gfx, gfxIrq, iosfcIrq, display: bridge.display!, callbacks: bridge.device!.callbacks };
}
