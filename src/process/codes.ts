/**
 * Process states and mailbox entry kinds, shared by the parts of the process
 * runtime. Plain numbers: a mailbox is a flat array of `kind, payload` pairs.
 */

// Process states.
export const INIT = 0
export const RUNNING = 1
export const EXITING = 2
export const DEAD = 3

// Mailbox entry kinds.
export const INFO = 0
export const CAST = 1
export const CALL = 2
export const DOWN = 3
export const EXIT = 4
export const STOP = 5
