import {
  checkState,
  ConfigValidator,
  type DeviceState,
  hex,
  type Log,
  type MmioHandler,
  MmioRegion,
  type Resettable,
  silentLog,
  type Snapshottable,
} from '@vmapple/core-bus';
import {
  PVPANIC_CRASH_LOADED,
  PVPANIC_EVENTS,
  PVPANIC_PANICKED,
  PVPANIC_REGION_SIZE,
  PVPANIC_SHUTDOWN,
  type PvpanicEvent,
} from './events.js';

export interface PvpanicOptions {
  /** Name used in logs. Default "pvpanic-mmio". */
  name?: string;
  log?: Log;
  /** Events advertised to the guest (what reads return). Default 0x03 = PANICKED | CRASH_LOADED. */
  events?: number;
  /** Receives each event the guest reports. */
  onEvent?: (event: PvpanicEvent) => void;
}

const STATE_TYPE = 'pvpanic-mmio';
const STATE_VERSION = 1;

/**
 * pvpanic-mmio (spec §6): a 2-byte window; every byte reads the advertised
 * events and a byte written reports one event to the host: the lowest of
 * PANICKED, CRASH_LOADED, SHUTDOWN that is set. No interrupt.
 */
export class Pvpanic implements MmioHandler, Resettable, Snapshottable<{ warnedUnknown: boolean }> {
  readonly name: string;
  readonly region: MmioRegion;
  readonly events: number;
  onEvent: ((event: PvpanicEvent) => void) | null;
  private readonly log: Log;
  /** Unknown bits are logged once per device, not once per write. */
  private warnedUnknown = false;

  constructor(options: PvpanicOptions = {}) {
    const v = new ConfigValidator('pvpanic-mmio');
    this.name = v.string('name', options.name, 'pvpanic-mmio', 64);
    this.events = v.int('events', options.events, PVPANIC_PANICKED | PVPANIC_CRASH_LOADED, { min: 0, max: PVPANIC_EVENTS });
    this.log = options.log ?? silentLog;
    this.onEvent = options.onEvent ?? null;
    this.region = new MmioRegion({
      name: this.name,
      size: PVPANIC_REGION_SIZE,
      handler: this,
      valid: { min: 1, max: 2 },
      // One byte at a time: the bus splits a 16-bit store into offset 0 (low byte) then offset 1.
      impl: { min: 1, max: 1 },
    });
  }

  /** Nothing guest-visible to reset: the advertised events are fixed. */
  reset(): void {}

  saveState(): DeviceState<{ warnedUnknown: boolean }> {
    return { type: STATE_TYPE, version: STATE_VERSION, data: { warnedUnknown: this.warnedUnknown } };
  }

  restoreState(state: DeviceState<{ warnedUnknown: boolean }>): void {
    const d = checkState<{ warnedUnknown: boolean }>(state, STATE_TYPE, STATE_VERSION);
    this.warnedUnknown = d.warnedUnknown === true;
  }

  read(_offset: number, _size: number): number {
    return this.events;
  }

  write(_offset: number, _size: number, value: number): void {
    const v = value & 0xff;
    if (v & ~PVPANIC_EVENTS && !this.warnedUnknown) {
      this.warnedUnknown = true;
      this.log.guestError(this.name, `unknown event bits in ${hex(v, 2)} (logged once)`);
    }
    // The advertised mask is not consulted: SHUTDOWN works although not advertised by default.
    if (v & PVPANIC_PANICKED) this.onEvent?.('panicked');
    else if (v & PVPANIC_CRASH_LOADED) this.onEvent?.('crash-loaded');
    else if (v & PVPANIC_SHUTDOWN) this.onEvent?.('shutdown');
  }
}
