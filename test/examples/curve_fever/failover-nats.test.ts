// Curve Fever across a dead node, through NATS (the suite: failover.ts).
import { describeFailover, NATS } from './failover.ts'

await describeFailover(NATS)
