// Public API of pubsub/ (re-exported from src/index.ts).
export {}
