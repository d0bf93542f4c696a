// Public API of @vmapple/virtio.
export * from './constants.js';
export { DescriptorChain, type Segment } from './descriptor-chain.js';
export { joinAddress, type QueueState, SplitQueue, VIRTQ_MAX_INDIRECT } from './split-queue.js';
export { type VirtioContext, type VirtioDevice } from './virtio-device.js';
export {
  VIRTIO_PCI_BAR_INDEX,
  VIRTIO_PCI_BAR_SIZE,
  VIRTIO_PCI_COMMON_OFFSET,
  VIRTIO_PCI_DEVICE_OFFSET,
  VIRTIO_PCI_ISR_OFFSET,
  VIRTIO_PCI_MAX_QUEUES,
  VIRTIO_PCI_NOTIFY_MULTIPLIER,
  VIRTIO_PCI_NOTIFY_OFFSET,
  VIRTIO_PCI_REGION_SIZE,
  VirtioPciFunction,
  type VirtioPciOptions,
} from './virtio-pci.js';
