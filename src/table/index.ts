// Public API of table/ (re-exported from src/index.ts).
export {}
