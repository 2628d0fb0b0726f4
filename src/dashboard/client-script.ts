/**
 * The dashboard's browser code: connect the official LiveSocket (the
 * `Phoenix` and `LiveView` globals of the packages' browser builds) to the
 * socket path the layout names, with the CSRF token of the page.
 *
 * The `Chart` hook draws each chart with uPlot (the `uPlot` global of its
 * browser build) from the element's `data-series` (labels, times in
 * seconds, one array of values per series): created on mount, fed new data
 * on every update, resized with its card. The plot lives in a
 * `phx-update="ignore"` child, so patches never touch uPlot's canvas.
 */
export const CLIENT_SCRIPT = `(() => {
  const meta = (name) => document.querySelector('meta[name="' + name + '"]')?.getAttribute('content') ?? ''
  const COLOURS = ['#e4572e', '#2e86ab', '#76b041', '#a23b72', '#f2a541', '#5c5c5c']
  const read = (el) => {
    try { return JSON.parse(el.dataset.series || '{}') } catch { return {} }
  }
  const columns = (s) => [s.times ?? [], ...(s.values ?? [])]
  const Chart = {
    mounted() {
      const s = read(this.el)
      const target = this.el.querySelector('.plot') ?? this.el
      const options = {
        width: Math.max(200, target.clientWidth || 320),
        height: 160,
        legend: { show: true },
        series: [{}, ...(s.labels ?? []).map((label, i) => ({ label, stroke: COLOURS[i % COLOURS.length], width: 1.5 }))],
        axes: [{ stroke: '#888', grid: { stroke: '#8883' } }, { stroke: '#888', grid: { stroke: '#8883' }, size: 50 }],
      }
      this.plot = new uPlot(options, columns(s), target)
      this.resize = new ResizeObserver(() => this.plot.setSize({ width: Math.max(200, target.clientWidth), height: 160 }))
      this.resize.observe(target)
    },
    updated() { this.plot?.setData(columns(read(this.el))) },
    destroyed() { this.resize?.disconnect(); this.plot?.destroy() },
  }
  const liveSocket = new LiveView.LiveSocket(meta('cinder-dashboard-socket') || '/live', Phoenix.Socket, {
    params: { _csrf_token: meta('csrf-token') },
    hooks: { Chart },
  })
  liveSocket.connect()
  window.liveSocket = liveSocket
})()
`
