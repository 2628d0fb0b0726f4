// Public API of token/ (re-exported from src/index.ts).
export {}
