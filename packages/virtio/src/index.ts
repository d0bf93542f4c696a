// Public API of @vmapple/virtio.
export {};
