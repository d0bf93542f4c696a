// Public API of @vmapple/pl061.
export {};
