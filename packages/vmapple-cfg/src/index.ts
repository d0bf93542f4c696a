// Public API of @vmapple/vmapple-cfg.
export { type MacAddress, VmappleCfg, type VmappleCfgOptions, type VmappleCfgProperties } from './vmapple-cfg.js';
export {
  CFG_BASE,
  CFG_COMMENT_OFFSETS,
  CFG_FIXED,
  CFG_MAX_CPUS,
  CFG_REGION_SIZE,
  CFG_STRING_MAX,
  CFG_STRUCT_SIZE,
  CfgOffset,
} from './layout.js';
