/** Exit status of the `vmapple` command: a contract scripts rely on. */
export const EXIT = {
  /** The guest powered off (PSCI SYSTEM_OFF, or the power button). */
  POWEROFF: 0,
  /** A host-side error: unreadable file, bad image, emulator failure. */
  HOST_ERROR: 1,
  /** Bad command line: unknown flag, bad value. */
  USAGE: 2,
  /** The guest reported a panic through pvpanic. */
  GUEST_PANIC: 3,
  /** `--timeout` expired before the guest powered off. */
  TIMEOUT: 4,
  /** The guest asked for a reset and `--no-reboot` was given. */
  GUEST_RESET: 5,
} as const;
