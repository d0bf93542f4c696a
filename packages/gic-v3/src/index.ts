// Public API of @vmapple/gic-v3.
export {};
