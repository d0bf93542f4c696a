import { AddressSpace, ConfigError, RamRegion, VirtualClock } from '@vmapple/core-bus';
import { describe, expect, it } from 'vitest';
import { HvfCpu } from '../../src/hvf/hvf-cpu.js';
import { HvfVm } from '../../src/hvf/hvf-vm.js';
import { HvMemory } from '../../src/hvf/native-api.js';
import { HVF_REQUIREMENT, loadHvfNative } from '../../src/hvf/node-loader.js';
import { FakeHvfNative } from './fake-native.js';

describe('HvfVm', () => {
  it('maps native RAM regions into the VM and follows AddressSpace changes', () => {
    const native = new FakeHvfNative();
    const memory = new AddressSpace();
    const vm = new HvfVm({ native, memory });
    const ram = vm.allocateRam('ram', 0x40_0000);
    expect(vm.isMappable(ram)).toBe(true);
    const m = memory.mapRam(0x7000_0000, ram);
    memory.mapRam(0x1000_0000, new RamRegion('js', 0x4000)); // JavaScript memory: not mappable
    expect([...native.maps.entries()].map(([a, x]) => [a, x.size, x.flags])).toEqual([[0x7000_0000, 0x40_0000, HvMemory.RWX]]);
    expect(native.maps.get(0x7000_0000)!.buffer).toBe(ram.buffer); // the same bytes JS sees
    memory.unmap(m);
    expect(native.maps.size).toBe(0);
    memory.mapRam(0x8000_0000, ram);
    expect([...vm.mappings()]).toEqual([[0x8000_0000, 0x40_0000]]);
    vm.destroy();
    expect(native.maps.size).toBe(0);
    expect(native.vm).toBeNull();
  });

  it('validates options and RAM sizes with ConfigError', () => {
    const native = new FakeHvfNative();
    const memory = new AddressSpace();
    expect(() => new HvfVm({ native, memory, ipaBits: 20 })).toThrow(ConfigError);
    const vm = new HvfVm({ native, memory, ipaBits: 40 });
    expect(native.vm?.ipaBits).toBe(40);
    expect(() => vm.allocateRam('odd', 0x5000)).toThrow(/multiple of 16 KiB/);
    expect(() => vm.gicSink()).toThrow(/without the HVF GIC/);
  });

  it('the macOS 15 GIC option: passed to vmCreate; SPI n drives INTID 32 + n', () => {
    const native = new FakeHvfNative();
    const vm = new HvfVm({ native, memory: new AddressSpace(), gic: { distributorBase: 0x1000_0000, redistributorBase: 0x1001_0000 } });
    expect(native.vm?.gic).toEqual({ distributorBase: 0x1000_0000, redistributorBase: 0x1001_0000 });
    vm.gicSink().setInput(17, true);
    expect(native.spis).toEqual([[49, true]]);
  });

  it('the guest virtual counter starts at VM creation (vtimer offset = host ticks then)', () => {
    const native = new FakeHvfNative();
    native.hostNs = 5_000_000_000;
    const memory = new AddressSpace();
    const vm = new HvfVm({ native, memory });
    native.hostNs += 1_000_000_000;
    const cpu = new HvfCpu({ vm, memory, clock: new VirtualClock({ mode: 'realtime', hostNowMs: () => native.hostNs / 1e6 }) });
    expect(native.getVtimerOffset(cpu.vcpu)).toBe(120_000_000n); // 5 s of 24 MHz
    expect(cpu.virtualCount()).toBe(24_000_000n); // 1 s later
  });

  it('HvfCpu refuses a deterministic clock and a foreign AddressSpace', () => {
    const native = new FakeHvfNative();
    const memory = new AddressSpace();
    const vm = new HvfVm({ native, memory });
    expect(() => new HvfCpu({ vm, memory, clock: new VirtualClock({ mode: 'deterministic' }) })).toThrow(/realtime/);
    expect(() => new HvfCpu({ vm, memory: new AddressSpace(), clock: new VirtualClock({ mode: 'realtime' }) })).toThrow(ConfigError);
  });
});

describe('loadHvfNative', () => {
  it('on a host other than macOS/arm64 returns (does not throw) a one-line error', () => {
    const r = loadHvfNative({ platform: 'linux', arch: 'x64' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe(`${HVF_REQUIREMENT} (this host is linux/x64)`);
      expect(r.error.message).not.toContain('\n');
    }
    const here = loadHvfNative();
    if (process.platform !== 'darwin') expect(here.ok).toBe(false);
  });

  it('on macOS/arm64 without a built shim says how to build it', () => {
    const r = loadHvfNative({ platform: 'darwin', arch: 'arm64' }, new URL('file:///nonexistent/src/hvf/node-loader.ts').href);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/npx node-gyp rebuild/);
  });
});
