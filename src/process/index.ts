// Public API of process/ (re-exported from src/index.ts).
export {}
