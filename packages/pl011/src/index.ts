// Public API of @vmapple/pl011.
export {};
