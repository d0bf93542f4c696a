import { describe, expect, it } from 'vitest';
import { loadPvgBridge, PVG_REQUIREMENT } from '../src/node/index.js';

describe('loadPvgBridge', () => {
  it('elsewhere than macOS returns (does not throw) a one-line error', () => {
    const r = loadPvgBridge({ platform: 'linux' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toBe(`${PVG_REQUIREMENT} (this host is linux)`);
      expect(r.error.message).not.toContain('\n');
    }
    if (process.platform !== 'darwin') expect(loadPvgBridge().ok).toBe(false);
  });

  it('on macOS without the built shim it says how to build it', () => {
    const r = loadPvgBridge({ platform: 'darwin' }, 'file:///nonexistent/src/node/index.ts');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/npx node-gyp rebuild/);
  });
});
