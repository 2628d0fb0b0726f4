// Public API of endpoint/ (re-exported from src/index.ts).
export {
  createEndpoint,
  type Endpoint,
  type EndpointOptions,
  type SocketMount,
} from './endpoint.ts'
