import { hostname } from 'node:os'
import { nodeName } from '../process/index.ts'

/**
 * The default node name: the `CINDER_NODE` environment variable, else the
 * runtime's node name once the application set one (`setNodeName`), else
 * `<host>-<os pid>`, so that two nodes never share a name by default.
 */
export function defaultNodeName(): string {
  const env = process.env.CINDER_NODE
  if (env) return env
  const runtime = nodeName()
  return runtime !== 'cinder' ? runtime : `${hostname()}-${process.pid}`
}
