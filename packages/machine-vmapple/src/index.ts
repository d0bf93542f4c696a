// Public API of @vmapple/machine-vmapple.
export {};
