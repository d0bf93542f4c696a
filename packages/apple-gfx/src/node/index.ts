import { createRequire } from 'node:module';
import type { PvgBridge } from '../pvg-bridge.js';
import { nativeHostFor, type PvgNativeAddon, type RamLookup } from './native-host.js';

export { nativeHostFor, type PvgNativeAddon, type PvgNativeHost, type RamLookup } from './native-host.js';

export const PVG_REQUIREMENT = 'apple-gfx needs macOS 11+ with ParavirtualizedGraphics.framework and a Metal GPU';

export type PvgLoadResult = { ok: true; bridge: PvgBridge } | { ok: false; error: Error };

export interface PvgLoadOptions {
  /** Defaults to `process.platform`. */
  platform?: string;
  /** Guest memory: the native bridge hands the framework host addresses of its RAM. Required on macOS. */
  memory?: RamLookup;
  /** Loads the addon at a path (defaults to `require` relative to this module); tests replace it. */
  requireAddon?: (path: string) => unknown;
}

const CANDIDATES = ['../../build/Release/vmapple_pvg.node', '../build/Release/vmapple_pvg.node'];

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/**
 * Loads the native PVG bridge. Never throws: elsewhere than macOS, when the
 * shim is missing or is the old stub, or when the framework refuses, the
 * error says in one line what is needed.
 */
export function loadPvgBridge(options: PvgLoadOptions = {}, base: string = import.meta.url): PvgLoadResult {
  const platform = options.platform ?? process.platform;
  if (platform !== 'darwin') {
    return { ok: false, error: new Error(`${PVG_REQUIREMENT} (this host is ${platform})`) };
  }
  const load = options.requireAddon ?? createRequire(base);
  const problems: string[] = [];
  for (const path of CANDIDATES) {
    let native: PvgNativeAddon;
    try {
      native = load(path) as PvgNativeAddon;
    } catch (e) {
      problems.push(firstLine(e));
      continue;
    }
    if (typeof native.createBridge !== 'function') {
      return { ok: false, error: new Error(`${PVG_REQUIREMENT}; the native shim at ${path} is the old stub (rebuild it with 'npx node-gyp rebuild' in packages/apple-gfx)`) };
    }
    if (!options.memory) {
      return { ok: false, error: new Error(`${PVG_REQUIREMENT}; pass the guest memory: loadPvgBridge({ memory })`) };
    }
    try {
      return { ok: true, bridge: native.createBridge(nativeHostFor(options.memory)) };
    } catch (e) {
      return { ok: false, error: new Error(`${PVG_REQUIREMENT}; the native shim failed: ${firstLine(e)}`) };
    }
  }
  return {
    ok: false,
    error: new Error(`${PVG_REQUIREMENT}; build the shim with 'npx node-gyp rebuild' in packages/apple-gfx (${problems[0] ?? 'not found'})`),
  };
}
