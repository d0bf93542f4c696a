// Public API of @vmapple/fdt: a flattened device tree (DTB v17) writer and a small reader.
export { FdtError } from './errors.js';
export { FdtNode, FdtWriter, type FdtReserveEntry, type FdtWriterOptions } from './fdt-writer.js';
export { FDT_READER_MAX_DEPTH, FdtReader, FdtReadNode, type FdtProperty } from './fdt-reader.js';
export {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_VERSION,
  nodeNameProblem,
  propertyNameProblem,
} from './format.js';
