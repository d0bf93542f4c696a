import { createRequire } from 'node:module';
import type { PvgBridge } from '../pvg-bridge.js';

export const PVG_REQUIREMENT = 'apple-gfx needs macOS 11+ with ParavirtualizedGraphics.framework and a Metal GPU';

export type PvgLoadResult = { ok: true; bridge: PvgBridge } | { ok: false; error: Error };

const CANDIDATES = ['../../build/Release/vmapple_pvg.node', '../build/Release/vmapple_pvg.node'];

/**
 * Loads the native PVG bridge. Never throws: elsewhere than macOS, or when
 * the shim is missing or is still the stub, the error says in one line what
 * is needed.
 */
export function loadPvgBridge(host: { platform: string } = process, base: string = import.meta.url): PvgLoadResult {
  if (host.platform !== 'darwin') {
    return { ok: false, error: new Error(`${PVG_REQUIREMENT} (this host is ${host.platform})`) };
  }
  const require = createRequire(base);
  const problems: string[] = [];
  for (const path of CANDIDATES) {
    try {
      const native = require(path) as { createBridge?: () => PvgBridge };
      if (typeof native.createBridge !== 'function') {
        return { ok: false, error: new Error(`${PVG_REQUIREMENT}; the native shim of this version is a stub (it only reports the framework)`) };
      }
      return { ok: true, bridge: native.createBridge() };
    } catch (e) {
      problems.push((e as Error).message.split('\n')[0]!);
    }
  }
  return {
    ok: false,
    error: new Error(`${PVG_REQUIREMENT}; build the shim with 'npx node-gyp rebuild' in packages/apple-gfx (${problems[0] ?? 'not found'})`),
  };
}
