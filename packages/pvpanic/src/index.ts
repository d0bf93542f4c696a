// Public API of @vmapple/pvpanic.
export {};
