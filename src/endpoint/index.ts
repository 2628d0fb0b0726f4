// Public API of endpoint/ (re-exported from src/index.ts).
export {}
