/** pvpanic event bits (spec §6; Linux include/uapi/misc/pvpanic.h uses the same values). */
export const PVPANIC_PANICKED = 1 << 0;
export const PVPANIC_CRASH_LOADED = 1 << 1;
export const PVPANIC_SHUTDOWN = 1 << 2;
/** Every event this device knows. */
export const PVPANIC_EVENTS = PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | PVPANIC_SHUTDOWN;

/** What the guest reported. */
export type PvpanicEvent = 'panicked' | 'crash-loaded' | 'shutdown';

/** Size of the pvpanic-mmio register window (spec §6). */
export const PVPANIC_REGION_SIZE = 2;
