import type { AddressSpace } from '@vmapple/core-bus';
import type { PvgBridge } from '../pvg-bridge.js';

/**
 * What the native shim asks of TypeScript (`createBridge(host)` in
 * native/pvg.m): the framework needs real host addresses for guest RAM
 * (task mappings, IOSFC mappings), and only TypeScript knows where guest
 * RAM lives.
 */
export interface PvgNativeHost {
  /**
   * A view of exactly [physicalAddress, physicalAddress + length) of guest
   * RAM, or null when that range is not wholly inside one RAM region. The
   * shim hands the view's data pointer to the framework, so the view must
   * share the RAM's bytes (never a copy).
   */
  ramView(physicalAddress: number, length: number, writable: boolean): Uint8Array | null;
}

/** The exports of build/Release/vmapple_pvg.node. */
export interface PvgNativeAddon {
  /** Links the framework and reports what it finds. */
  probe(): { framework: boolean; optionRomPath: string; metalDevice?: string };
  /** Absent in the stub shim of earlier versions. */
  createBridge?(host: PvgNativeHost): PvgBridge;
}

/** The part of guest memory the host needs. */
export type RamLookup = Pick<AddressSpace, 'ramAt'>;

/**
 * The host object for the native shim, over guest memory. Guest RAM in
 * core-bus is always writable, so `writable` does not narrow the answer.
 */
export function nativeHostFor(memory: RamLookup): PvgNativeHost {
  return {
    ramView(physicalAddress: number, length: number, _writable: boolean): Uint8Array | null {
      if (!Number.isSafeInteger(physicalAddress) || !Number.isSafeInteger(length) || physicalAddress < 0 || length <= 0) {
        return null;
      }
      const hit = memory.ramAt(physicalAddress);
      if (!hit || hit.limit < length) return null;
      return hit.ram.bytes.subarray(hit.offset, hit.offset + length);
    },
  };
}
