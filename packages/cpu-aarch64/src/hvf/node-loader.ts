import { createRequire } from 'node:module';
import type { HvfNative } from './native-api.js';

/** Why HVF cannot be used on this host (the one line the CLI prints). */
export class HvfUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HvfUnavailableError';
  }
}

export const HVF_REQUIREMENT = 'HVF needs macOS 12+ on Apple silicon';

export type HvfLoadResult = { ok: true; native: HvfNative } | { ok: false; error: HvfUnavailableError };

/** Where node-gyp puts the shim (native/hvf/build), relative to this file (src/hvf) or to dist. */
const CANDIDATES = ['../../native/hvf/build/Release/vmapple_hvf.node', '../native/hvf/build/Release/vmapple_hvf.node'];

/**
 * Loads the native HVF shim. Never throws: on any host other than macOS on
 * Apple silicon, or when the shim was not built, it returns an error whose
 * message says in one line what is needed.
 */
export function loadHvfNative(host: { platform: string; arch: string } = process, base: string = import.meta.url): HvfLoadResult {
  if (host.platform !== 'darwin' || host.arch !== 'arm64') {
    return { ok: false, error: new HvfUnavailableError(`${HVF_REQUIREMENT} (this host is ${host.platform}/${host.arch})`) };
  }
  const require = createRequire(base);
  const problems: string[] = [];
  for (const path of CANDIDATES) {
    try {
      return { ok: true, native: require(path) as HvfNative };
    } catch (e) {
      problems.push((e as Error).message.split('\n')[0]!);
    }
  }
  return {
    ok: false,
    error: new HvfUnavailableError(
      `${HVF_REQUIREMENT}, and the native shim must be built: run 'npx node-gyp rebuild' in packages/cpu-aarch64/native/hvf (${problems[0] ?? 'not found'})`,
    ),
  };
}
