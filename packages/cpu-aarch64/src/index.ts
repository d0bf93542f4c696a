// Public API of @vmapple/cpu-aarch64.
export {};
