// Public API of @vmapple/virtio-blk-apple.
export {};
