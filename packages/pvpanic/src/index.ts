// Public API of @vmapple/pvpanic.
export {
  PVPANIC_CRASH_LOADED,
  PVPANIC_EVENTS,
  PVPANIC_PANICKED,
  PVPANIC_REGION_SIZE,
  PVPANIC_SHUTDOWN,
  type PvpanicEvent,
} from './events.js';
export { Pvpanic, type PvpanicOptions } from './pvpanic.js';
