// Public API of @vmapple/xhci.
export {};
