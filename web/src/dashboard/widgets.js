// The dashboard is a list of widgets. Each says who sees it (`when`), how it
// loads its figure for the signed-in user's scope (`load`) and, for charts,
// how to draw it (`option`). Member counts come from list totals; sales and
// growth from the reports (GET /api/v1/reports/member_sales, member_growth)
// for roles with report_read, scoped by the server like the report pages. A
// figure whose report is not built yet loads as null and shows "no data yet".
import { ApiError, api, countOf } from '../lib/api.js'
import { can, listsMembers } from '../lib/roles.js'
import { chartOf } from '../reports/charts.js'
import { bpText, wholeYuanText } from '../reports/format.js'
import { loadRegions, loadStaff, loadStores } from '../lib/org.js'

export const MEMBER_STATUSES = ['prospect', 'temporary', 'formal', 'suspended', 'closed']
const PALETTE = ['#409eff', '#67c23a', '#e6a23c', '#f56c6c', '#909399', '#9b59b6', '#1abc9c']
// Status colours match the status tags of the lists.
const STATUS_COLOURS = { prospect: '#909399', temporary: '#e6a23c', formal: '#67c23a', suspended: '#f56c6c', closed: '#c0c4cc' }

// Per-render helpers shared by the widgets: memoised loads and a small
// request pool, so the server sees at most four count queries at once.
export function makeContext(user) {
  const memo = new Map()
  const queue = []
  let running = 0
  function pump() {
    while (running < 4 && queue.length) {
      const { fn, resolve, reject } = queue.shift()
      running++
      fn()
        .then(resolve, reject)
        .finally(() => {
          running--
          pump()
        })
    }
  }
  const pooled = (fn) =>
    new Promise((resolve, reject) => {
      queue.push({ fn, resolve, reject })
      pump()
    })
  const ctx = {
    user,
    once(key, fn) {
      if (!memo.has(key)) memo.set(key, fn())
      return memo.get(key)
    },
    members(filter = {}) {
      return ctx.once(`members:${JSON.stringify(filter)}`, () => pooled(() => countOf('/members', filter)))
    },
    // Stores in the user's scope.
    async stores() {
      const all = await loadStores()
      if (user.role === 'regional_supervisor') return all.filter((s) => s.region_id === user.region_id)
      if (user.role === 'store_manager' || user.role === 'associate') return all.filter((s) => s.id === user.store_id)
      return all
    },
    statusCounts() {
      return ctx.once('statusCounts', async () => {
        const counts = await Promise.all(MEMBER_STATUSES.map((s) => ctx.members({ status: s })))
        return Object.fromEntries(MEMBER_STATUSES.map((s, i) => [s, counts[i]]))
      })
    },
    // A report of the last 12 months (the server's default period), or null
    // while that report is not built yet.
    report(name) {
      return ctx.once(`report:${name}`, () =>
        pooled(() =>
          api.get(`/reports/${name}`).catch((e) => {
            if (e instanceof ApiError && e.status === 404 && /not built yet/.test(e.message || '')) return null
            throw e
          }),
        ),
      )
    },
    staff: () => loadStaff(),
    regions: () => loadRegions(),
    // The first day of this month in the company's time zone (the API's
    // joined_from is a local day there), "YYYY-MM-01".
    monthStart() {
      return ctx.once('monthStart', async () => {
        let timeZone
        try {
          timeZone = (await api.get('/company')).timezone || undefined
        } catch {
          timeZone = undefined // the browser's own
        }
        return monthStartIn(timeZone)
      })
    },
  }
  return ctx
}

export function monthStartIn(timeZone, now = new Date()) {
  let parts
  try {
    parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now)
  } catch {
    parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit' }).formatToParts(now)
  }
  const part = (type) => parts.find((p) => p.type === type).value
  return `${part('year')}-${part('month')}-01`
}

function barOption(t, labels, values, seriesName, color = '#409eff') {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ name: seriesName, type: 'bar', data: values, barMaxWidth: 36, itemStyle: { color }, label: { show: true, position: 'top' } }],
  }
}

function pieOption(t, items, seriesName) {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { bottom: 0, type: 'scroll' },
    series: [
      {
        name: seriesName,
        type: 'pie',
        radius: ['38%', '66%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        label: { formatter: '{b}\n{c}' },
        data: items,
      },
    ],
  }
}

const members = (u) => listsMembers(u.role)
const reads = (u) => can(u.role, 'report_read')

// The sums of `fields` over the rows of the report's last month (this month).
function lastMonth(report, fields) {
  if (!report) return null
  const rows = (report.rows || []).filter((r) => r.month === report.to)
  if (!rows.length && !(report.rows || []).length) return Object.fromEntries(fields.map((f) => [f, 0]))
  if (rows.length && !fields.every((f) => f in rows[0])) return null
  return Object.fromEntries(fields.map((f) => [f, rows.reduce((a, r) => a + (Number(r[f]) || 0), 0)]))
}
const orgWide = (u) => ['admin', 'hq_analyst'].includes(u.role)

export const WIDGETS = [
  // Key figures.
  { key: 'members', kind: 'kpi', titleKey: 'dashboard.kpiMembers', when: members, load: (ctx) => ctx.members() },
  { key: 'formal', kind: 'kpi', titleKey: 'dashboard.kpiFormal', when: members, load: async (ctx) => (await ctx.statusCounts()).formal },
  { key: 'temporary', kind: 'kpi', titleKey: 'dashboard.kpiTemporary', when: members, load: async (ctx) => (await ctx.statusCounts()).temporary },
  {
    key: 'stores',
    kind: 'kpi',
    titleKey: 'dashboard.kpiStores',
    when: (u) => orgWide(u) || u.role === 'regional_supervisor',
    load: async (ctx) => (await ctx.stores()).filter((s) => s.active).length,
  },
  {
    key: 'regions',
    kind: 'kpi',
    titleKey: 'dashboard.kpiRegions',
    when: (u) => u.role === 'hq_analyst',
    load: async (ctx) => (await ctx.regions()).length,
  },
  {
    key: 'staff',
    kind: 'kpi',
    titleKey: 'dashboard.kpiStaff',
    when: (u) => u.role === 'hq_analyst' || u.role === 'store_manager',
    load: async (ctx) => {
      const staff = (await ctx.staff()).filter((s) => s.active)
      return ctx.user.role === 'store_manager' ? staff.filter((s) => s.store_id === ctx.user.store_id).length : staff.length
    },
  },
  {
    key: 'new-this-month',
    kind: 'kpi',
    titleKey: 'dashboard.kpiNewThisMonth',
    when: members,
    load: async (ctx) => ctx.members({ joined_from: await ctx.monthStart() }),
  },
  {
    key: 'new-this-month',
    kind: 'kpi',
    titleKey: 'dashboard.kpiNewThisMonth',
    when: (u) => u.role === 'hq_analyst',
    load: async (ctx) => {
      const m = lastMonth(await ctx.report('member_growth'), ['new_temporary', 'new_formal'])
      return m ? m.new_temporary + m.new_formal : null
    },
  },
  {
    key: 'sales-this-month',
    kind: 'kpi',
    titleKey: 'dashboard.kpiSalesThisMonth',
    when: reads,
    load: async (ctx) => {
      const m = lastMonth(await ctx.report('member_sales'), ['member_sales_fen'])
      return m ? m.member_sales_fen : null
    },
    format: wholeYuanText,
  },
  {
    key: 'member-share-this-month',
    kind: 'kpi',
    titleKey: 'dashboard.kpiMemberShare',
    when: reads,
    load: async (ctx) => {
      const m = lastMonth(await ctx.report('member_sales'), ['member_sales_fen', 'sales_fen'])
      if (!m || m.sales_fen <= 0) return null
      return Math.floor((Math.floor((m.member_sales_fen * 20000) / m.sales_fen) + 1) / 2) // bp, half up as the server's ShareBp
    },
    format: bpText,
  },
  // Figures that later engines deliver; shown so the layout is stable.
  { key: 'sales-this-month', kind: 'kpi', titleKey: 'dashboard.kpiSalesThisMonth', when: (u) => u.role !== 'auditor' && !reads(u), pendingKey: 'dashboard.withLoyalty' },
  { key: 'open-tasks', kind: 'kpi', titleKey: 'dashboard.kpiOpenTasks', when: (u) => u.role !== 'auditor', pendingKey: 'dashboard.withCare' },

  // Charts.
  {
    key: 'member-sales-trend',
    kind: 'chart',
    titleKey: 'dashboard.salesTrend',
    when: reads,
    load: (ctx) => ctx.report('member_sales'),
    option: (report, t) => chartOf(report, 'salesTrend', t),
    empty: (report) => !report || !(report.rows || []).length,
  },
  {
    key: 'member-growth-trend',
    kind: 'chart',
    titleKey: 'dashboard.growthTrend',
    when: reads,
    load: (ctx) => ctx.report('member_growth'),
    option: (report, t) => chartOf(report, 'growthTrend', t),
    empty: (report) => !report || !(report.rows || []).length || !chartOf(report, 'growthTrend', (k) => k),
  },
  {
    key: 'by-status',
    kind: 'chart',
    titleKey: 'dashboard.byStatus',
    when: members,
    load: (ctx) => ctx.statusCounts(),
    option: (data, t) =>
      pieOption(
        t,
        MEMBER_STATUSES.filter((s) => data[s] > 0).map((s) => ({ name: t(`status.${s}`), value: data[s], itemStyle: { color: STATUS_COLOURS[s] } })),
        t('dashboard.members'),
      ),
    empty: (data) => MEMBER_STATUSES.every((s) => !data[s]),
  },
  {
    key: 'by-store',
    kind: 'chart',
    titleKey: 'dashboard.byStore',
    when: (u) => u.role === 'admin' || u.role === 'regional_supervisor',
    load: async (ctx) => {
      const stores = await ctx.stores()
      const counts = await Promise.all(stores.map((s) => ctx.members({ store_id: s.id })))
      return stores.map((s, i) => ({ name: s.name, value: counts[i] }))
    },
    option: (data, t) =>
      barOption(
        t,
        data.map((d) => d.name),
        data.map((d) => d.value),
        t('dashboard.members'),
      ),
    empty: (data) => data.length === 0,
  },
  {
    key: 'by-associate',
    kind: 'chart',
    titleKey: 'dashboard.byAssociate',
    when: (u) => u.role === 'store_manager',
    load: async (ctx) => {
      const staff = (await ctx.staff()).filter((s) => s.store_id === ctx.user.store_id && s.role === 'associate' && s.active)
      const counts = await Promise.all(staff.map((s) => ctx.members({ associate_id: s.id })))
      return staff.map((s, i) => ({ name: s.name, value: counts[i] }))
    },
    option: (data, t) =>
      barOption(
        t,
        data.map((d) => d.name),
        data.map((d) => d.value),
        t('dashboard.members'),
        '#67c23a',
      ),
    empty: (data) => data.length === 0,
  },
  {
    key: 'stores-by-region',
    kind: 'chart',
    titleKey: 'dashboard.storesByRegion',
    when: (u) => u.role === 'hq_analyst',
    load: async (ctx) => {
      const [regions, stores] = await Promise.all([ctx.regions(), ctx.stores()])
      return regions.map((r) => ({ name: r.name, value: stores.filter((s) => s.region_id === r.id && s.active).length }))
    },
    option: (data, t) =>
      barOption(
        t,
        data.map((d) => d.name),
        data.map((d) => d.value),
        t('dashboard.stores'),
      ),
    empty: (data) => data.length === 0,
  },
  {
    key: 'staff-by-role',
    kind: 'chart',
    titleKey: 'dashboard.staffByRole',
    when: (u) => u.role === 'hq_analyst',
    load: async (ctx) => {
      const counts = {}
      for (const s of await ctx.staff()) if (s.active) counts[s.role] = (counts[s.role] || 0) + 1
      return counts
    },
    option: (data, t) =>
      pieOption(
        t,
        Object.entries(data).map(([role, n]) => ({ name: t(`role.${role}`), value: n })),
        t('dashboard.staff'),
      ),
    empty: (data) => Object.keys(data).length === 0,
  },
]

export function widgetsFor(user) {
  return WIDGETS.filter((w) => w.when(user))
}
