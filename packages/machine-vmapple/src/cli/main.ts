import { closeSync, openSync, readFileSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { FileBlockBackend } from '@vmapple/core-bus/node';
import { Log } from '@vmapple/core-bus';
import { HvfCpu, HvfVm } from '@vmapple/cpu-aarch64/hvf';
import { loadHvfNative } from '@vmapple/cpu-aarch64/hvf/node';
import { NodeCryptoAesBackend } from '@vmapple/vmapple-aes/node';
import { type BoardDisk, VmappleBoard, type VmappleBoardOptions } from '../board.js';
import { KernelImageError } from '../kernel-image.js';
import { parseArgs, USAGE, UsageError } from './args.js';
import { EXIT } from './exit-codes.js';

const MAX_FIRMWARE = 1 << 20;
/** Ctrl-A, then x: quit (QEMU's escape), on a raw TTY. */
const ESCAPE = 0x01;

class HostError extends Error {}

function readInput(what: string, path: string, limit?: number): Uint8Array {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new HostError(`${what} '${path}' is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof HostError) throw e;
    throw new HostError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (limit !== undefined && size > limit) {
    throw new HostError(`${what} '${path}' is ${size} bytes; at most ${limit} bytes (1 MiB) fit at 0x00100000`);
  }
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new HostError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Runs the `vmapple` command; resolves to its exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`vmapple: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  }
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return EXIT.POWEROFF;
  }
  if (opts.version) {
    process.stdout.write('vmapple (vmapple-ts) 0.1.0\n');
    return EXIT.POWEROFF;
  }
  let accel: Pick<VmappleBoardOptions, 'createCpu' | 'createRam'> = {};
  if (opts.accel === 'hvf') {
    const loaded = loadHvfNative();
    if (!loaded.ok) {
      process.stderr.write(`vmapple: --accel hvf: ${loaded.error.message}\n`);
      return EXIT.HOST_ERROR;
    }
    let vm: HvfVm | undefined;
    accel = {
      createRam: (memory, name, size) => (vm ??= new HvfVm({ native: loaded.native, memory })).allocateRam(name, size),
      createCpu: (o) => new HvfCpu({ ...o, vm: vm! }),
    };
  }

  const backends: FileBlockBackend[] = [];
  let serialFd = -1;
  const restoreTty: Array<() => void> = [];
  try {
    const firmware = opts.bios ? readInput('firmware', opts.bios, MAX_FIRMWARE) : undefined;
    const kernel = opts.kernel ? readInput('kernel', opts.kernel) : undefined;
    const initrd = opts.initrd ? readInput('initrd', opts.initrd) : undefined;
    const disks: BoardDisk[] = opts.disks.map((d) => {
      let backend: FileBlockBackend;
      try {
        backend = new FileBlockBackend(d.path, d.readOnly);
      } catch (e) {
        throw new HostError(`cannot open disk '${d.path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      backends.push(backend);
      if (backend.size % 512 !== 0) throw new HostError(`disk '${d.path}' is ${backend.size} bytes, not a multiple of 512`);
      return { backend, variant: d.variant };
    });

    if (opts.serial.kind === 'file') {
      try {
        serialFd = openSync(opts.serial.path, 'w');
      } catch (e) {
        throw new HostError(`cannot open serial file '${opts.serial.path}': ${(e as NodeJS.ErrnoException).code}`);
      }
    }
    const serialOut =
      opts.serial.kind === 'stdio'
        ? (bytes: Uint8Array) => process.stdout.write(bytes)
        : opts.serial.kind === 'file'
          ? (bytes: Uint8Array) => void writeSync(serialFd, bytes)
          : () => {};

    const log = new Log((entry) => {
      if (process.env.VMAPPLE_LOG?.split(',').includes(entry.kind)) {
        process.stderr.write(`vmapple: ${entry.kind} ${entry.source}: ${entry.message}\n`);
      }
    });
    const board = new VmappleBoard({
      memorySize: opts.memory,
      cpus: opts.cpus,
      firmware,
      kernel: kernel ? { image: kernel, initrd, cmdline: opts.append ?? 'console=ttyAMA0' } : undefined,
      disks,
      uuid: opts.uuid,
      serialOut,
      clock: opts.deterministic && opts.accel !== 'hvf' ? 'deterministic' : 'realtime',
      log,
      // Under Node the AES engine runs on OpenSSL; the library default (pure TS) is for browsers.
      aesBackend: new NodeCryptoAesBackend(),
      ...accel,
    });

    if (opts.dumpDtb) {
      writeFileSync(opts.dumpDtb, board.deviceTree!);
      return EXIT.POWEROFF;
    }

    let quit = false;
    if (opts.serial.kind === 'stdio' || process.stdin.isTTY) {
      const stdin = process.stdin;
      let escaped = false;
      if (stdin.isTTY) {
        stdin.setRawMode(true);
        restoreTty.push(() => stdin.setRawMode(false));
      }
      stdin.on('data', (chunk: Buffer) => {
        const bytes: number[] = [];
        for (const b of chunk) {
          if (stdin.isTTY && escaped) {
            escaped = false;
            if (b === 0x78 /* x */) quit = true;
            else bytes.push(b);
          } else if (stdin.isTTY && b === ESCAPE) escaped = true;
          else bytes.push(b);
        }
        board.sendSerial(Uint8Array.from(bytes));
      });
      stdin.on('error', () => {});
      restoreTty.push(() => stdin.pause());
    }

    const timeoutMs = opts.timeout === undefined ? undefined : opts.timeout * 1000;
    const started = performance.now();
    // A status line on stderr when it is a terminal and the console is not sharing it.
    if (process.stderr.isTTY && opts.serial.kind !== 'stdio') {
      let last = { t: started, n: 0 };
      const status = setInterval(() => {
        const now = performance.now();
        const n = board.cpus.reduce((sum, c) => sum + c.retired, 0);
        const mips = (n - last.n) / ((now - last.t) * 1000);
        last = { t: now, n };
        process.stderr.write(
          `\rvmapple: ${((now - started) / 1000).toFixed(0)} s, guest time ${(board.clock.now() / 1e9).toFixed(1)} s, ` +
            `${(n / 1e6).toFixed(0)} M instructions, ${mips.toFixed(1)} MIPS   `,
        );
      }, 1000);
      restoreTty.push(() => {
        clearInterval(status);
        process.stderr.write('\n');
      });
    }
    for (;;) {
      const remaining = timeoutMs === undefined ? undefined : Math.max(0, timeoutMs - (performance.now() - started));
      const exit = await board.run({ timeoutMs: remaining, shouldStop: () => quit });
      switch (exit) {
        case 'poweroff':
          return EXIT.POWEROFF;
        case 'panic':
          process.stderr.write('vmapple: the guest panicked (pvpanic)\n');
          return EXIT.GUEST_PANIC;
        case 'timeout':
          process.stderr.write(`vmapple: timeout: the guest did not power off within ${opts.timeout} s\n`);
          return EXIT.TIMEOUT;
        case 'stopped':
          return EXIT.POWEROFF;
        case 'reset':
          if (opts.noReboot) return EXIT.GUEST_RESET;
          board.reset();
          continue;
      }
    }
  } catch (e) {
    if (e instanceof HostError || e instanceof KernelImageError || (e as Error).name === 'ConfigError') {
      process.stderr.write(`vmapple: ${(e as Error).message}\n`);
      return EXIT.HOST_ERROR;
    }
    process.stderr.write(`vmapple: internal error: ${(e as Error).stack ?? e}\n`);
    return EXIT.HOST_ERROR;
  } finally {
    for (const r of restoreTty) r();
    for (const b of backends) {
      b.flush();
      b.close();
    }
    if (serialFd >= 0) closeSync(serialFd);
  }
}
