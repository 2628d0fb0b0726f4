/** `GET /api/health`: answers while the node runs, for load balancers and uptime checks. */
import { type Conn, json } from 'cinder'

export const healthController = {
  show(conn: Conn): Conn {
    return json(conn, { status: 'ok', uptime: Math.round(process.uptime()) })
  },
}
