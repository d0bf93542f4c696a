import { type GuestMemory, type Log } from '@vmapple/core-bus';
import { type SplitQueue } from './split-queue.js';

/**
 * What a transport gives a device model: guest memory for DMA, the
 * negotiated features, and the ways to talk back to the driver.
 */
export interface VirtioContext {
  /** Guest memory as the device may reach it (bus-master gated on PCI). */
  readonly mem: GuestMemory;
  readonly log: Log;
  /** Features the driver accepted (valid once FEATURES_OK is set). */
  readonly driverFeatures: bigint;
  /** Whether feature `bit` was negotiated. */
  hasFeature(bit: number): boolean;
  /** Sends a used-buffer notification for `queue` if its suppression rules allow it. */
  notifyUsed(queue: SplitQueue): void;
  /** The device configuration changed: bumps config_generation and notifies the driver. */
  configChanged(): void;
  /** The device hit an error it cannot recover from: sets DEVICE_NEEDS_RESET (§2.1.2). */
  needsReset(reason: string): void;
}

/**
 * A virtio device model (block, net, ...), independent of the transport.
 * The transport owns the status, features, queues' registers and interrupts;
 * the device owns its configuration space and what its queues do.
 */
export interface VirtioDevice {
  /** virtio device type (§5): 2 for block. */
  readonly deviceType: number;
  /** Device-specific feature bits offered; the transport adds the reserved ring and VERSION_1 bits. */
  readonly deviceFeatures: bigint;
  readonly numQueues: number;
  /** Maximum size of each queue (a power of two). */
  readonly queueMaxSize: number;
  /** Bytes of device configuration space. */
  readonly configSize: number;
  /** Reads the device configuration (offset + size within configSize). */
  readConfig(offset: number, size: number): number;
  /** Writes the device configuration (offset + size within configSize). */
  writeConfig(offset: number, size: number, value: number): void;
  /**
   * Called when the driver sets FEATURES_OK with `features` (already a subset
   * of the offered ones): a reason to refuse them, or null to accept.
   */
  validateFeatures?(features: bigint): string | null;
  /** The driver notified `queue` (only while DRIVER_OK and no error): process its chains. */
  processQueue(ctx: VirtioContext, queue: SplitQueue): void;
  /** Device reset (the driver wrote 0 to the status, or a bus reset). */
  reset(): void;
}
