/**
 * Snapshots. Each device exports its state as a plain JSON-serialisable
 * object tagged with a type and a version, and restores from it. RAM is not
 * part of device state: save `RamRegion.bytes` as binary.
 */
export interface DeviceState<T = unknown> {
  type: string;
  version: number;
  data: T;
}

export interface Snapshottable<T = unknown> {
  saveState(): DeviceState<T>;
  restoreState(state: DeviceState<T>): void;
}

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** Tags `data` as state of `type` at `version`. */
export function makeState<T>(type: string, version: number, data: T): DeviceState<T> {
  return { type, version, data };
}

/**
 * Checks that `state` is state of `type` that this code can read (its version
 * is at most `version`, the one this code writes) and returns its data.
 */
export function checkState<T>(state: unknown, type: string, version: number): T {
  if (typeof state !== 'object' || state === null) throw new SnapshotError(`${type}: state must be an object`);
  const s = state as Partial<DeviceState<T>>;
  if (s.type !== type) throw new SnapshotError(`${type}: state is for '${String(s.type)}', not '${type}'`);
  if (typeof s.version !== 'number' || !Number.isInteger(s.version) || s.version < 1) {
    throw new SnapshotError(`${type}: state has no valid version`);
  }
  if (s.version > version) {
    throw new SnapshotError(`${type}: state version ${s.version} is newer than this code's version ${version}`);
  }
  if (s.data === undefined) throw new SnapshotError(`${type}: state has no data`);
  return s.data as T;
}

/** Bytes as base64, for typed arrays inside JSON state. Works in browsers and Node. */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function base64ToBytes(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
