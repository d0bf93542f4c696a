// Public API of @vmapple/virtio-blk-apple.
export * from './constants.js';
export { type AppleVariant, VirtioBlk, type VirtioBlkModel, type VirtioBlkOptions } from './virtio-blk.js';
export { VirtioBlkPci } from './virtio-blk-pci.js';
