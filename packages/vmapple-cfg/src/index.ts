// Public API of @vmapple/vmapple-cfg.
export {};
