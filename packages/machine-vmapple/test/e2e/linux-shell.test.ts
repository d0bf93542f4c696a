import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBlockBackend } from '@vmapple/core-bus/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debianGuest, GuestConsole } from './guest.js';

/**
 * Debian's busybox (static glibc: AdvSIMD string functions) runs our /init and
 * a shell on the serial console. Debian's own drivers are the oracles: virtio_pci
 * + virtio_blk + ext4 for the disks, xhci + usbhid for the keyboard, gpio-keys for
 * the power button, rtc-pl031 for the date, sysfs for the PCI functions.
 */

function tool(name: string): void {
  if (spawnSync(name, ['-V'], { stdio: 'ignore' }).error) {
    throw new Error(`${name} is missing: run scripts/install-deps.sh (apt-get install e2fsprogs)`);
  }
}

/** An ext4 image made on the host with mkfs.ext4, holding one file. */
function ext4Image(dir: string): string {
  tool('mkfs.ext4');
  const content = join(dir, 'content');
  mkdirSync(content);
  writeFileSync(join(content, 'hello.txt'), 'written on the host\n');
  const image = join(dir, 'disk.img');
  const r = spawnSync('mkfs.ext4', ['-q', '-F', '-d', content, image, '8M'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfs.ext4 failed: ${r.stderr}`);
  return image;
}

describe('a busybox shell on the vmapple board', () => {
  let guest: GuestConsole;
  let version: string;
  let image: string;
  const backends: FileBlockBackend[] = [];

  beforeAll(async () => {
    const g = debianGuest();
    version = g.version;
    const dir = mkdtempSync(join(tmpdir(), 'vmapple-e2e-'));
    image = ext4Image(dir);
    const spare = join(dir, 'spare.img');
    writeFileSync(spare, new Uint8Array(1 << 20));
    backends.push(new FileBlockBackend(image), new FileBlockBackend(spare, true));
    guest = new GuestConsole({
      memorySize: 512 << 20,
      cpus: 1,
      clock: 'deterministic',
      rtcEpochSeconds: 1_764_000_000,
      disks: backends.map((backend) => ({ backend })),
      kernel: { image: g.image, initrd: g.initrd, cmdline: 'console=ttyAMA0 nokaslr cryptomgr.notests rdinit=/init' },
    });
    await guest.waitFor('vmapple-e2e: ready', 1_500_000);
    await guest.run('echo shell up', 300_000);
  }, 1_860_000);

  afterAll(() => {
    for (const b of backends) b.close();
  });

  it('runs uname, and the kernel counts timer and UART interrupts', async () => {
    expect(await guest.run('uname -r')).toContain(version);
    const interrupts = await guest.run('cat /proc/interrupts');
    expect(interrupts).toMatch(/GICv3\s+27 Level\s+arch_timer/);
    expect(interrupts).toMatch(/GICv3\s+33 Level\s+uart-pl011/);
  }, 300_000);

  it('lists exactly the plugged PCI functions in sysfs', async () => {
    const out = await guest.run('for d in /sys/bus/pci/devices/*; do echo "${d##*/} $(cat $d/vendor):$(cat $d/device)"; done');
    expect(out).toContain('0000:00:00.0 0x1b36:0x0008');
    expect(out).toContain('0000:00:01.0 0x1b36:0x000d');
    expect(out).toContain('0000:00:02.0 0x1af4:0x1042');
    expect(out).toContain('0000:00:03.0 0x1af4:0x1042');
    expect(out).not.toContain('0000:00:04.0');
  }, 300_000);

  it('reads the date from the PL031', async () => {
    expect(await guest.run('date -u +%Y-%m-%d')).toContain('2025-11-24');
  }, 300_000);

  it('mounts the host-made ext4 disk, and what the guest writes and syncs reaches the image', async () => {
    await guest.run('mount -t ext4 /dev/vda /mnt');
    expect(await guest.run('cat /mnt/hello.txt')).toContain('written on the host');
    await guest.run('echo written in the guest > /mnt/from-guest.txt && sync && umount /mnt && echo UMOUNTED');
    tool('debugfs');
    const r = spawnSync('debugfs', ['-R', 'cat /from-guest.txt', image], { encoding: 'utf8' });
    expect(r.stdout).toContain('written in the guest');
  }, 300_000);

  it('refuses writes to the read-only disk', async () => {
    expect(await guest.run('cat /sys/block/vdb/ro')).toMatch(/^1\s*$/m);
    const out = await guest.run('dd if=/dev/zero of=/dev/vdb bs=512 count=1 oflag=direct 2>&1; echo status=$?');
    expect(out).not.toContain('status=0');
  }, 300_000);

  it('delivers a key pressed on the host USB keyboard as an input event', async () => {
    await guest.waitFor('hid-generic 0003:0627:0001.0001: input,hidraw0: USB HID v1.11 Keyboard [QEMU QEMU USB Keyboard]', 300_000);
    const kbd = await guest.run(
      'for e in /sys/class/input/event*; do [ "$(cat $e/device/name)" = "QEMU QEMU USB Keyboard" ] && KBD=/dev/input/${e##*/}; done; echo "kbd=$KBD"',
    );
    expect(kbd).toMatch(/kbd=\/dev\/input\/event\d/);
    const from = guest.output.length;
    // evdev hands out whole events: read them one per read(), 6 = press and release (MSC, KEY, SYN each).
    // The marker is spelled KEYS_''READ in the command so that the echoed command line cannot match it.
    await guest.run("(dd if=$KBD bs=24 count=6 2>/dev/null | od -An -tx1 -v > /tmp/ev; echo KEYS_''READ) & sleep 1");
    guest.board.keyboard.press(0x04); // HID usage 'a'
    guest.board.keyboard.release(0x04);
    await guest.waitFor('KEYS_READ', 300_000, from);
    // struct input_event on arm64: 16-byte time, type (EV_KEY = 1), code (KEY_A = 30), value (1 = press)
    const bytes = (await guest.run('cat /tmp/ev')).replace(/\s+/g, ' ');
    expect(bytes).toContain('01 00 1e 00 01 00 00 00');
  }, 300_000);

  it('enumerates the USB tablet too (usbhid + hid-generic)', async () => {
    await guest.waitFor('hid-generic 0003:0627:0001.0002: input,hidraw1: USB HID v1.11 Mouse [QEMU QEMU USB Tablet]', 300_000);
    expect(await guest.run('cat /sys/class/input/*/device/name')).toContain('QEMU QEMU USB Tablet');
  }, 300_000);

  it('powers off when the host presses the power button (PL061 line 3, gpio-keys)', async () => {
    guest.board.pressPowerButton();
    expect(await guest.stopped(300_000)).toBe('poweroff');
    expect(guest.output).toContain('vmapple-e2e: power button');
  }, 310_000);
});
