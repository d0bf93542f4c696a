import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VmappleBoard, type VmappleBoardOptions } from '../../src/board.js';
import type { MachineExit } from '../../src/runner.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
export const GUEST_DIR = process.env.VMAPPLE_GUEST_DIR ?? repo + '.cache/debian-guest/';

/** Debian's arm64 kernel and our initramfs, fetched by guest/fetch-debian-guest.sh. */
export function debianGuest(): { image: Uint8Array; initrd: Uint8Array; version: string } {
  const files = ['Image', 'initramfs.cpio.gz', 'kernel-version'];
  for (const f of files) {
    if (!existsSync(GUEST_DIR + f)) {
      throw new Error(
        `${GUEST_DIR}${f} is missing: run 'npm run setup:oracles' (installs Debian's arm64 kernel and busybox into .cache/debian-guest)`,
      );
    }
  }
  return {
    image: new Uint8Array(readFileSync(GUEST_DIR + 'Image')),
    initrd: new Uint8Array(readFileSync(GUEST_DIR + 'initramfs.cpio.gz')),
    version: readFileSync(GUEST_DIR + 'kernel-version', 'utf8').trim(),
  };
}

/** A booted board with a serial console a test can wait on and type into. */
export class GuestConsole {
  readonly board: VmappleBoard;
  output = '';
  private exit: MachineExit | null = null;
  private running: Promise<MachineExit>;

  constructor(options: Omit<VmappleBoardOptions, 'serialOut'>) {
    // VMAPPLE_E2E_LOG=FILE copies the console to a file as it comes (to watch a long boot).
    const logFile = process.env.VMAPPLE_E2E_LOG;
    this.board = new VmappleBoard({
      ...options,
      serialOut: (b) => {
        const text = new TextDecoder().decode(b);
        this.output += text;
        if (logFile) appendFileSync(logFile, text);
      },
    });
    this.running = this.board.run().then((e) => (this.exit = e));
  }

  /** Resolves when `pattern` appears after `from` (an index into output); rejects after `timeoutMs` or a stop. */
  async waitFor(pattern: RegExp | string, timeoutMs: number, from = 0): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const text = this.output.slice(from);
      const at = typeof pattern === 'string' ? text.indexOf(pattern) : text.search(pattern);
      if (at >= 0) return from + at;
      if (this.exit) throw new Error(`machine stopped (${this.exit}) before ${pattern} appeared; console:\n${this.tail()}`);
      if (performance.now() > deadline) throw new Error(`timeout waiting for ${pattern}; console:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Types a shell command and returns its output (up to the next prompt). */
  async run(command: string, timeoutMs = 60_000): Promise<string> {
    const start = this.output.length;
    this.board.sendSerial(new TextEncoder().encode(command + '\n'));
    const marker = `__done_${Math.random().toString(36).slice(2)}`;
    this.board.sendSerial(new TextEncoder().encode(`echo ${marker}\n`));
    const end = await this.waitFor(new RegExp(`^${marker}`, 'm'), timeoutMs, start);
    return this.output.slice(start, end);
  }

  async stopped(timeoutMs: number): Promise<MachineExit> {
    const timeout = new Promise<MachineExit>((_, reject) =>
      setTimeout(() => reject(new Error(`the machine did not stop; console:\n${this.tail()}`)), timeoutMs),
    );
    return Promise.race([this.running, timeout]);
  }

  tail(n = 3000): string {
    return this.output.slice(-n);
  }
}
