/** The dashboard's pages, in the navigation's order: path under the dashboard and label. */
export const PAGE_LINKS = [
  { path: '', title: 'Home' },
  { path: 'cluster', title: 'Cluster' },
  { path: 'tree', title: 'Supervision' },
  { path: 'processes', title: 'Processes' },
  { path: 'sockets', title: 'Sockets' },
  { path: 'pubsub', title: 'PubSub' },
  { path: 'presence', title: 'Presence' },
  { path: 'metrics', title: 'Metrics' },
] as const
