// Public API of presence/ (re-exported from src/index.ts).
export {}
