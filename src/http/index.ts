// Public API of http/ (re-exported from src/index.ts).
export {}
