import { parseSize, parseU64 } from '../size.js';

/** Parsed `vmapple` command line. */
export interface CliOptions {
  bios?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  memory: number;
  cpus: number;
  disks: DiskOption[];
  serial: { kind: 'stdio' } | { kind: 'none' } | { kind: 'file'; path: string };
  uuid: bigint;
  dumpDtb?: string;
  accel: 'interp' | 'hvf';
  /** Seconds of host time, or undefined for none. */
  timeout?: number;
  noReboot: boolean;
  /** Deterministic virtual time (instruction-counted) instead of host real time. */
  deterministic: boolean;
  help: boolean;
  version: boolean;
}

export interface DiskOption {
  path: string;
  variant?: 'root' | 'aux';
  readOnly: boolean;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `usage: vmapple [options]

Boot modes (one of):
  --bios FILE            firmware (at most 1 MiB) loaded at 0x00100000, QEMU-compatible boot
  --kernel FILE          arm64 Linux Image, ELF or raw binary (direct boot with a generated device tree)
    --initrd FILE        initial ramdisk (with --kernel)
    --append "ARGS"      kernel command line (with --kernel)

Machine:
  --memory SIZE          guest RAM, e.g. 512M, 1G (default 1G; a bare number means MiB)
  --cpus N               number of CPUs, 1..32 (default 1)
  --disk FILE[,variant=root|aux][,readonly]
                         a disk image: an Apple virtio-blk disk with a variant, else a standard
                         virtio-blk disk; the first root and aux disks also back the firmware's backdoor
  --uuid N               machine ECID given to the guest (decimal, 0x hex, 0 octal; default 0)
  --accel interp|hvf     CPU backend (default interp; hvf needs macOS 12+ on Apple silicon)

Host:
  --serial stdio|none|file:PATH   where the UART goes (default stdio; on a TTY, Ctrl-A x quits)
  --dump-dtb FILE        write the generated device tree blob and exit (with --kernel)
  --timeout SECONDS      stop with exit status 4 if the guest has not powered off by then
  --no-reboot            exit (status 5) when the guest resets instead of rebooting
  --deterministic        virtual time counts instructions (reproducible runs) instead of host time
  -h, --help             this text
  --version              the version

Exit status: 0 guest powered off, 1 host error, 2 bad command line, 3 guest panic (pvpanic),
4 timeout, 5 guest reset with --no-reboot.`;

const VALUE_FLAGS = new Set([
  '--bios',
  '--kernel',
  '--initrd',
  '--append',
  '--memory',
  '--cpus',
  '--disk',
  '--serial',
  '--uuid',
  '--dump-dtb',
  '--accel',
  '--timeout',
]);

/** Parses argv (without node and script). Throws UsageError with one clear sentence. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = {
    memory: 1 << 30,
    cpus: 1,
    disks: [],
    serial: { kind: 'stdio' },
    uuid: 0n,
    accel: 'interp',
    noReboot: false,
    deterministic: false,
    help: false,
    version: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i]!;
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (VALUE_FLAGS.has(flag) && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
    }
    const v = value ?? '';
    switch (flag) {
      case '-h':
      case '--help':
        o.help = true;
        break;
      case '--version':
        o.version = true;
        break;
      case '--bios':
        o.bios = v;
        break;
      case '--kernel':
        o.kernel = v;
        break;
      case '--initrd':
        o.initrd = v;
        break;
      case '--append':
        o.append = v;
        break;
      case '--memory':
        o.memory = wrap('--memory', () => parseSize(v));
        if (o.memory < 64 << 20 || o.memory > 64 * 2 ** 30 || o.memory % 65536 !== 0) {
          throw new UsageError(`--memory must be a multiple of 64 KiB from 64M to 64G, got '${v}'`);
        }
        break;
      case '--cpus': {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1 || n > 32) throw new UsageError(`--cpus must be a whole number from 1 to 32, got '${v}'`);
        o.cpus = n;
        break;
      }
      case '--disk':
        o.disks.push(parseDisk(v));
        break;
      case '--serial':
        if (v === 'stdio' || v === 'none') o.serial = { kind: v };
        else if (v.startsWith('file:') && v.length > 5) o.serial = { kind: 'file', path: v.slice(5) };
        else throw new UsageError(`--serial must be stdio, none or file:PATH, got '${v}'`);
        break;
      case '--uuid':
        o.uuid = wrap('--uuid', () => parseU64(v));
        break;
      case '--dump-dtb':
        o.dumpDtb = v;
        break;
      case '--accel':
        if (v !== 'interp' && v !== 'hvf') throw new UsageError(`--accel must be interp or hvf, got '${v}'`);
        o.accel = v;
        break;
      case '--timeout': {
        const n = Number(v);
        if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--timeout must be a positive number of seconds, got '${v}'`);
        o.timeout = n;
        break;
      }
      case '--no-reboot':
        o.noReboot = true;
        break;
      case '--deterministic':
        o.deterministic = true;
        break;
      default:
        throw new UsageError(flag.startsWith('-') ? `unknown option '${flag}' (see --help)` : `unexpected argument '${flag}' (see --help)`);
    }
  }
  if (o.help || o.version) return o;
  if (!o.bios && !o.kernel) throw new UsageError('give --bios FILE (firmware boot) or --kernel FILE (direct Linux boot)');
  if (o.bios && o.kernel) throw new UsageError('--bios and --kernel cannot be combined: choose one boot mode');
  if (!o.kernel && (o.initrd || o.append !== undefined)) throw new UsageError('--initrd and --append need --kernel');
  if (o.dumpDtb && !o.kernel) throw new UsageError('--dump-dtb needs --kernel (firmware boot has no device tree)');
  return o;
}

function parseDisk(spec: string): DiskOption {
  const [path, ...opts] = spec.split(',');
  if (!path) throw new UsageError(`--disk needs a file name, got '${spec}'`);
  const disk: DiskOption = { path, readOnly: false };
  for (const opt of opts) {
    if (opt === 'readonly' || opt === 'readonly=on') disk.readOnly = true;
    else if (opt === 'variant=root' || opt === 'variant=aux') disk.variant = opt.slice(8) as 'root' | 'aux';
    else throw new UsageError(`--disk option '${opt}' is not one of variant=root, variant=aux, readonly`);
  }
  return disk;
}

function wrap<T>(flag: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}
