// Public API of channel/ (re-exported from src/index.ts).
export {}
