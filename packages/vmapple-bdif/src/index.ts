// Public API of @vmapple/vmapple-bdif.
export { VmappleBdif, type VmappleBdifOptions } from './bdif.js';
export {
  BDIF_BASE,
  BDIF_SIZE,
  BdifReg,
  BdifWindow,
  DESCRIPTOR_SIZE,
  FLAGS_READ,
  FLAGS_WRITE,
  MAX_DATA_LENGTH,
  REG_VALUES,
  SECTOR_SIZE,
  STATUS_ERROR,
  STATUS_OK,
} from './registers.js';
