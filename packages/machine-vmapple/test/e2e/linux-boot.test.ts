import { MemoryBlockBackend } from '@vmapple/core-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianGuest, GuestConsole } from './guest.js';

/**
 * Debian's unmodified arm64 kernel (the oracle for the CPU, the GIC, the
 * PL011, the timer, PSCI and the PCIe host) boots on the board with the
 * interpreter CPU, in deterministic time so every run is the same.
 */
describe('Debian arm64 Linux boots on the vmapple board (2 CPUs)', () => {
  let guest: GuestConsole;
  let version: string;

  beforeAll(async () => {
    const g = debianGuest();
    version = g.version;
    guest = new GuestConsole({
      memorySize: 512 << 20,
      cpus: 2,
      clock: 'deterministic',
      rtcEpochSeconds: 1_764_000_000,
      disks: [{ backend: new MemoryBlockBackend(1 << 20), variant: 'aux' }, { backend: new MemoryBlockBackend(1 << 20) }],
      kernel: { image: g.image, initrd: g.initrd, cmdline: 'console=ttyAMA0 nokaslr cryptomgr.notests rdinit=/init' },
    });
    await guest.waitFor('Run /init as init process', 1_200_000);
  }, 1_260_000);

  afterAll(() => guest?.board.sendSerial(new TextEncoder().encode('poweroff -f\n')));

  it('identifies the kernel and the board', () => {
    expect(guest.output).toContain(`Linux version ${version}`);
    expect(guest.output).toContain('Machine model: Apple aarch64 Virtual Machine (vmapple-ts)');
  });

  it('finds PSCI 1.1 over HVC', () => {
    expect(guest.output).toContain('psci: PSCIv1.1 detected in firmware.');
    expect(guest.output).toContain('psci: SMC Calling Convention v1.1');
  });

  it('brings up the GICv3 with 256 SPIs and the redistributor of CPU 0', () => {
    expect(guest.output).toContain('GICv3: 256 SPIs implemented');
    expect(guest.output).toMatch(/GICv3: CPU0: found redistributor 0 region 0:0x0*10010000/);
  });

  it('starts the second CPU with PSCI CPU_ON, with its own redistributor', () => {
    expect(guest.output).toMatch(/GICv3: CPU1: found redistributor 1 region 0:0x0*10030000/);
    expect(guest.output).toContain('CPU1: Booted secondary processor 0x0000000001 [0x410fd034]');
    expect(guest.output).toContain('smp: Brought up 1 node, 2 CPUs');
  });

  it('runs the virtual generic timer at 24 MHz', () => {
    expect(guest.output).toContain('arch_timer: cp15 timer(s) running at 24.00MHz (virt).');
  });

  it('takes the PL011 as its console', () => {
    expect(guest.output).toMatch(/20010000\.pl011: ttyAMA0 at MMIO 0x20010000 \(irq = \d+, base_baud = 0\) is a PL011/);
    expect(guest.output).toContain('printk: console [ttyAMA0] enabled');
  });

  it('reads the PL031 clock', () => {
    expect(guest.output).toMatch(/rtc-pl031 20050000\.pl031: setting system clock to 2025-11-24T16:00:\d\d UTC \(176400000\d\)/);
  });

  it('enumerates the PCIe host bridge through ECAM with the vmapple window', () => {
    expect(guest.output).toContain('pci-host-generic 40000000.pcie: ECAM at [mem 0x40000000-0x4fffffff] for [bus 00-ff]');
    expect(guest.output).toContain('pci_bus 0000:00: root bus resource [mem 0x50000000-0x6ffeffff]');
    expect(guest.output).toContain('pci 0000:00:00.0: [1b36:0008] type 00 class 0x060000');
  });

  it('finds every plugged function in slot order and assigns their BARs in the window', () => {
    expect(guest.output).toContain('pci 0000:00:01.0: [1b36:000d] type 00 class 0x0c0330');
    expect(guest.output).toContain('pci 0000:00:02.0: [106b:1a00] type 00 class 0x010000');
    expect(guest.output).toContain('pci 0000:00:03.0: [1af4:1042] type 00 class 0x010000');
    // Kernels print "BAR 0: assigned [mem …]" or (newer) "BAR 0 [mem …]: assigned".
    for (const fn of ['01\\.0', '02\\.0', '03\\.0']) {
      const window = '\\[mem 0x[56][0-9a-f]{7}-0x[56][0-9a-f]{7} 64bit[^\\]]*\\]';
      expect(guest.output).toMatch(new RegExp(`pci 0000:00:${fn}: BAR \\d+(: assigned ${window}| ${window}: assigned)`));
    }
  });

  it('unpacks the initramfs and starts /init', () => {
    expect(guest.output).toMatch(/Freeing initrd memory: \d+K/);
    expect(guest.output).toContain('Run /init as init process');
  });
});
