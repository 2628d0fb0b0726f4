// Curve Fever across a dead node, through Redis (the suite: failover.ts).
import { describeFailover, REDIS } from './failover.ts'

await describeFailover(REDIS)
