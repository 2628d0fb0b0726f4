/**
 * Every error Cinder throws on purpose is a `CinderError` with a stable `code`
 * from the registry below, so callers can branch on `err.code` and the docs
 * (`docs/errors.md`) can list each one. A test keeps the two in agreement.
 */

/** The registry: code → one line on what it means. Grouped by part; add to your part's group. */
export const ERROR_CODES = {
  // process/
  CINDER_ERR_CALL_TIMEOUT: 'a call got no reply within its timeout',
  CINDER_ERR_NOPROC: 'the target process is not alive (or the name is not registered)',
  CINDER_ERR_CALLEE_EXITED: 'the called process stopped before it replied',
  CINDER_ERR_NAME_TAKEN: 'a process or table name is already registered',
  CINDER_ERR_BAD_RETURN: 'a callback returned a shape that is not allowed',
  CINDER_ERR_BAD_CHILD_SPEC: 'a supervisor child spec is missing fields or has wrong ones',
  CINDER_ERR_START_FAILED: 'a process failed to start (init threw or was refused)',
  CINDER_ERR_MAX_CHILDREN: 'a DynamicSupervisor already runs its maximum number of children',
  CINDER_ERR_NO_CHILD: 'no child with that id in the supervisor',
  CINDER_ERR_CHILD_RUNNING: 'the child is running (terminate it first)',
  CINDER_ERR_NOT_IN_PROCESS: 'an operation needs a current process but was called outside one',
  CINDER_ERR_CALL_SELF: 'a process called (or stopped and awaited) itself, which can never finish',
  CINDER_ERR_NO_HANDLER: 'a message arrived for a callback the behaviour does not define',
  CINDER_ERR_PROCESS_BAD_ARG: 'a process API function got an argument of the wrong shape',
  // table/
  CINDER_ERR_TABLE_ACCESS:
    "the calling process may not access the table this way (see its 'access')",
  CINDER_ERR_TABLE_DELETED: 'the table was deleted (its owner stopped without an heir)',
  CINDER_ERR_TABLE_BAD_ARG: 'a table operation got an argument of the wrong shape',
  // token/
  CINDER_ERR_TOKEN_CONFIG:
    'a token secret, salt, key or option is invalid (secretKeyBase under 20 bytes…)',
  CINDER_ERR_ETF_ENCODE:
    'a value has no Erlang term form (undefined, NaN, a function, a class instance, a cycle)',
  CINDER_ERR_ETF_DECODE:
    'bytes are not a valid or allowed Erlang term (truncated, executable, too deep)',
  // http/
  CINDER_ERR_ALREADY_SENT: 'the response was already sent; a conn can send once (see conn.state)',
  CINDER_ERR_NOT_SENT: 'a plug pipeline finished without sending a response',
  CINDER_ERR_BAD_REQUEST:
    'the request is malformed (URL, percent-encoding, query, body or JSON): 400',
  CINDER_ERR_BODY_TOO_LARGE: 'the request body is larger than the configured limit: 413',
  CINDER_ERR_TOO_MANY_PARAMS:
    "a query string, form body or JSON body's top level has more parameters than the parsers' `params` limit: 400",
  CINDER_ERR_PARAMS_TOO_DEEP:
    "a parameter name nests brackets deeper than the parsers' `depth` limit (`a[b][c]` is 3): 400",
  CINDER_ERR_HTTP_OPTIONS:
    'an HTTP server limit (timeouts, header size or count) is not a non-negative integer, or headersTimeout > requestTimeout',
  CINDER_ERR_UNSUPPORTED_MEDIA_TYPE: 'no body parser accepts the request content-type: 415',
  CINDER_ERR_NOT_ACCEPTABLE:
    'the accept header or _format names no format the pipeline serves: 406',
  CINDER_ERR_NO_ROUTE: 'no route matches the request method and path: 404',
  CINDER_ERR_INVALID_CSRF: 'an unsafe request came without a valid CSRF token: 403',
  CINDER_ERR_ROUTER_CONFIG: 'a route, scope or pipeline declaration is invalid',
  CINDER_ERR_PLUG_OPTIONS: 'a plug was given invalid options',
  CINDER_ERR_SESSION_NOT_FETCHED:
    'the session (or flash) was used before the session/fetchSession plugs ran',
  CINDER_ERR_COOKIE_OVERFLOW: 'a cookie value is larger than browsers accept (4096 bytes)',
  // socket/ and channel/
  CINDER_ERR_BAD_FRAME:
    'a socket frame is malformed: not JSON, wrong shape or field types, bad binary header',
  CINDER_ERR_FIELD_TOO_LONG:
    'a join_ref, ref, topic, event or status is over 255 bytes in a binary frame',
  CINDER_ERR_UNENCODABLE:
    'a message cannot be written by this serializer (e.g. binary payload over V1)',
  CINDER_ERR_SOCKET_OPTIONS: 'a socket declaration, channel route or transport option is invalid',
  CINDER_ERR_CHANNEL_BAD_ARG:
    'a channel function (assign, push, broadcast, replyToPush…) got an argument of the wrong shape',
  CINDER_ERR_NOT_JOINED:
    'push or socketRef was used outside a joined channel (e.g. push inside join)',
  // pubsub/
  CINDER_ERR_PUBSUB_BAD_ARG: 'a PubSub function got an argument of the wrong shape',
  CINDER_ERR_PUBSUB_DURABLE:
    'a durable topic declaration is invalid (pattern, limits, declared twice differently), or the topic is not durable',
  CINDER_ERR_PUBSUB_NOT_RUNNING: 'the PubSub is not started yet, or already stopped',
  CINDER_ERR_PUBSUB_NO_DISPATCHER: 'no dispatcher is registered under that name on the PubSub',
  CINDER_ERR_PUBSUB_ENCODE:
    'a broadcast message cannot be encoded to cross nodes (JSON plus binary)',
  CINDER_ERR_PUBSUB_CONNECT:
    'the PubSub adapter could not reach its server (Redis or NATS) at start',
  CINDER_ERR_PUBSUB_NODE_TAKEN:
    'another node of the same PubSub already uses that node name (cluster adapter)',
  // presence/
  CINDER_ERR_PRESENCE_ALREADY_TRACKED: 'the process already tracks that key on that topic',
  CINDER_ERR_PRESENCE_NOT_TRACKED: 'the process tracks nothing under that key on that topic',
  CINDER_ERR_PRESENCE_BAD_ARG: 'a presence or tracker operation got an argument of the wrong shape',
  CINDER_ERR_PRESENCE_BAD_REPLICATION: 'a tracker delta or state transfer from a peer is malformed',
  CINDER_ERR_PRESENCE_NOT_RUNNING:
    'a presence or tracker operation was called before start, after stop, or while a crashed shard restarts',
  CINDER_ERR_PRESENCE_SHARD_CRASHED:
    'the tracker shard holding the presence crashed (the exit reason its owners get): track again',
  CINDER_ERR_PRESENCE_ASYNC_FETCH:
    'list or get was called on a Presence whose fetch returned a promise: use listAsync or getAsync',
  // cluster/
  CINDER_ERR_CLUSTER_BAD_ARG: 'a cluster function or option got an argument of the wrong shape',
  CINDER_ERR_CLUSTER_NOT_RUNNING:
    'the cluster or a cluster supervisor is not started yet, or already stopped',
  CINDER_ERR_CLUSTER_NAME_TAKEN: 'the name is already registered in the cluster-wide registry',
  CINDER_ERR_CLUSTER_CHILD_EXISTS: 'a cluster supervisor already has a child under that key',
  CINDER_ERR_CLUSTER_NOT_OWNER:
    'a cluster child saved its state after another node took it over (it is stopped here)',
  CINDER_ERR_CLUSTER_STATE_TOO_LARGE:
    'a cluster child saved a state larger than maxStateBytes (512 KiB by default)',
  CINDER_ERR_CLUSTER_STORE:
    'the cluster store (Redis, NATS key-value) failed or could not be reached',
  // live/
  CINDER_ERR_LIVE_TEMPLATE:
    'an html`…` template puts a value where markup cannot hold one (tag or attribute name, unquoted partial value)',
  CINDER_ERR_LIVE_BAD_VALUE:
    'a template value cannot render where it stands (an object between tags, a bad attribute name…)',
  CINDER_ERR_LIVE_DUPLICATE_KEY: 'two entries of a keyed list (each) have the same key',
  CINDER_ERR_LIVE_COMPONENT:
    'a live component cannot render: no resolver, bad cid, no template, or not one root element',
  CINDER_ERR_LIVE_CONFIG:
    'createLive options are invalid, or a live route runs without live.plug or a session it needs',
  CINDER_ERR_LIVE_BAD_ARG:
    'a LiveView socket function got an argument of the wrong shape (assign, pushPatch, stream…)',
  CINDER_ERR_LIVE_NOT_CONNECTED:
    'a LiveView operation needs the connected process (sendSelf, sendAfter, broadcast) but ran in the dead render',
  CINDER_ERR_LIVE_BAD_EVENT:
    'a client event is malformed, oversized, or uses a reserved lv: name: the view crashes and remounts',
  CINDER_ERR_LIVE_NO_HANDLER:
    'an event or message arrived for a LiveView without handleEvent / handleInfo',
  CINDER_ERR_LIVE_SNAPSHOT:
    "a LiveView's persist threw or returned what JSON cannot hold, or the snapshot store failed: nothing saved or restored",
  CINDER_ERR_LIVE_SNAPSHOT_TOO_LARGE:
    "a LiveView's persisted state is over snapshots.maxBytes (64 KiB by default): not saved, the view mounts afresh",
  CINDER_ERR_LIVE_SNAPSHOT_INVALID:
    'a LiveView snapshot does not verify, expired, or belongs to another session: refused, the view mounts afresh',
  // endpoint/
  CINDER_ERR_ENDPOINT_OPTIONS: 'createEndpoint got an invalid option',
  CINDER_ERR_ENDPOINT_STATE:
    'the endpoint is not in a state that allows this (start twice, broadcast before start)',
  CINDER_ERR_ENDPOINT_CLUSTER_OPTIONS:
    'runCluster got an invalid option (worker count, restart intensity, timeouts)',
  CINDER_ERR_ENDPOINT_CRASH_LOOP:
    'runCluster workers crashed more often than its restart intensity allows',
  // cli/
  CINDER_ERR_CLI_USAGE:
    'the cinder command got an unknown command or option, a missing argument, or ran outside an application folder',
  CINDER_ERR_CLI_BAD_NAME:
    'cinder new or cinder gen got a name it cannot use (letters, digits and separators; not a package it depends on)',
  CINDER_ERR_CLI_EXISTS:
    'cinder new or cinder gen would write into a non-empty folder or over an existing file',
  CINDER_ERR_CLI_TEMPLATE:
    'a template of cinder new or cinder gen is malformed (an unknown placeholder, an unclosed block)',
  CINDER_ERR_CLI_TOOL:
    'a tool the cinder command runs (npm, tsc, tsx, esbuild) is missing from the project or failed',
  // metrics/ and dashboard/
  CINDER_ERR_METRICS_OPTIONS:
    'a metric or createMetrics got an invalid option (name, labels, buckets, intervals)',
  CINDER_ERR_DASHBOARD_OPTIONS: 'liveDashboard got an invalid option (path, onMount, refresh)',
} as const

/** A stable error code (`CINDER_ERR_*`); `err.code` of every CinderError. */
export type ErrorCode = keyof typeof ERROR_CODES

/** An error with a stable code. `message` says what was expected and what came. */
export class CinderError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CinderError'
    this.code = code
  }
}

/** Renders a value for an error message: short, and safe for any input. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    // What a client sent may be long: a log line shows its start and its size.
    return value.length > 200
      ? `${JSON.stringify(value.slice(0, 200))}… (${value.length} characters)`
      : JSON.stringify(value)
  }
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`
  if (typeof value !== 'object' || value === null) return String(value)
  try {
    const json = JSON.stringify(value)
    return json.length > 200 ? `${json.slice(0, 200)}…` : json
  } catch {
    return Object.prototype.toString.call(value)
  }
}
