import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../src/cli/args.js';
import { parseSize, parseU64 } from '../src/size.js';

describe('vmapple command line', () => {
  it('parses every flag', () => {
    const o = parseArgs([
      '--kernel', 'Image', '--initrd', 'initrd.gz', '--append', 'console=ttyAMA0 quiet',
      '--memory', '2G', '--cpus', '4', '--disk', 'root.img,variant=root', '--disk=aux.img,variant=aux,readonly',
      '--disk', 'data.img', '--serial', 'file:/tmp/log', '--uuid', '0x1234', '--dump-dtb', 'out.dtb',
      '--accel', 'interp', '--timeout', '30', '--no-reboot', '--deterministic',
    ]);
    expect(o).toMatchObject({
      kernel: 'Image',
      initrd: 'initrd.gz',
      append: 'console=ttyAMA0 quiet',
      memory: 2 * 2 ** 30,
      cpus: 4,
      serial: { kind: 'file', path: '/tmp/log' },
      uuid: 0x1234n,
      dumpDtb: 'out.dtb',
      timeout: 30,
      noReboot: true,
      deterministic: true,
    });
    expect(o.disks).toEqual([
      { path: 'root.img', variant: 'root', readOnly: false },
      { path: 'aux.img', variant: 'aux', readOnly: true },
      { path: 'data.img', readOnly: false },
    ]);
  });

  it('gives one clear sentence for every bad input', () => {
    const bad: Array<[string[], RegExp]> = [
      [['--bios'], /--bios needs a value/],
      [['--bios', 'f', '--frobnicate'], /unknown option '--frobnicate'/],
      [['--bios', 'f', '--memory', 'lots'], /--memory: 'lots' is not a size/],
      [['--bios', 'f', '--memory', '16M'], /from 64M to 64G/],
      [['--bios', 'f', '--cpus', '33'], /from 1 to 32, got '33'/],
      [['--bios', 'f', '--disk', 'a.img,variant=boot'], /'variant=boot' is not one of/],
      [['--bios', 'f', '--serial', 'tcp:1'], /stdio, none or file:PATH/],
      [['--bios', 'f', '--accel', 'kvm'], /interp or hvf/],
      [['--bios', 'f', '--timeout', '-1'], /positive number of seconds/],
      [['--bios', 'f', '--uuid', 'abc'], /not an unsigned integer/],
      [[], /give --bios FILE .* or --kernel FILE/],
      [['--bios', 'f', '--kernel', 'k'], /cannot be combined/],
      [['--bios', 'f', '--initrd', 'i'], /need --kernel/],
      [['--bios', 'f', '--dump-dtb', 'x'], /needs --kernel/],
    ];
    for (const [argv, msg] of bad) {
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseArgs(argv), argv.join(' ')).toThrow(msg);
    }
  });

  it('parses sizes and QEMU-style integers', () => {
    expect(parseSize('512')).toBe(512 * 2 ** 20);
    expect(parseSize('1.5G')).toBe(1.5 * 2 ** 30);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseU64('010')).toBe(8n);
    expect(parseU64('0x10')).toBe(16n);
    expect(parseU64('18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(() => parseU64('18446744073709551616')).toThrow(/64 bits/);
  });
});
