/**
 * Display serial numbers come from one process-wide counter starting at 1
 * (spec §8.1), so macOS never merges two displays with identical EDID.
 */
let next = 1;

export function nextDisplaySerialNumber(): number {
  return next++;
}

/** Test hook: restart the counter. */
export function resetDisplaySerialNumbers(): void {
  next = 1;
}
