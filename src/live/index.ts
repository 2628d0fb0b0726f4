// Public API of live/ (re-exported from src/index.ts).
export {}
