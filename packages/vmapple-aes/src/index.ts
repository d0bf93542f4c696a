// Public API of @vmapple/vmapple-aes.
export {};
