// Public API of socket/ (re-exported from src/index.ts).
export {}
