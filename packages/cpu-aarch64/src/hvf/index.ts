// The HVF backend (macOS on Apple silicon). Host-neutral parts: the loader lives in ./node-loader.ts.
export { type ExitAction, HvfCpu, type HvfCpuOptions, HVF_RESET_SCTLR, WFI_MIN_SLEEP_NS } from './hvf-cpu.js';
export { HvfVm, type HvfVmOptions } from './hvf-vm.js';
export {
  EXIT_RECORD_WORDS,
  ExitWord,
  HvExitReason,
  HvInterrupt,
  HvMemory,
  HvReg,
  type HvfNative,
  type NativeGicConfig,
} from './native-api.js';
export { HVF_SYSREGS, TRAPPED } from './sysreg-names.js';
export {
  callImmediate,
  type DataAbort,
  decodeDataAbort,
  decodeSysregTrap,
  esrEc,
  esrIss,
  externalAbortSyndrome,
  HvfEc,
  isWfe,
  type SysregTrap,
  UNDEF_SYNDROME,
} from './syndrome.js';
export { HvfTrappedSysregs, isIccRegister, isIdSpace } from './trapped-sysregs.js';
