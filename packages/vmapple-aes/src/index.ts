// Public API of @vmapple/vmapple-aes.
export { AppleAes, type AppleAesOptions, type AesQuirks } from './aes-engine.js';
export { type AesBackend, type AesBlockMode, type AesRequest, SoftAesBackend } from './aes-backend.js';
export { AesKeySchedule } from './aes-cipher.js';
export {
  AES2_BASE,
  AES2_REGION_SIZE,
  AES_BASE,
  AES_REGION_SIZE,
  AES_SPI,
  AesReg,
  FIFO_DEPTH,
  IRQ_FLAG,
  IRQ_INVALID_CMD,
  Opcode,
  Q_STATUS_RESET,
  STATUS_RESET,
} from './aes-registers.js';
