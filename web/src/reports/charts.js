// The charts of each report, drawn from the same answer as its table (GET
// /api/v1/reports/{name}). `chartsFor(report, t)` returns [{key, titleKey,
// option}] for ECharts; a report without a chart of its own gets one bar
// chart of its first figure, so every report has a picture. A builder that
// finds its section missing or shaped otherwise draws nothing rather than
// breaking the page (the reports are built by several people at once).
import { use } from 'echarts/core'
import { FunnelChart, HeatmapChart, ScatterChart } from 'echarts/charts'
import { VisualMapComponent } from 'echarts/components'
import { i18n } from '../i18n/index.js'
import { bpText, fenText, intText, shiftMonth } from './format.js'

// components/EChart.vue bundles bar, line and pie; the reports add these
// (ECharts registers them globally, for every chart on the page).
use([FunnelChart, HeatmapChart, ScatterChart, VisualMapComponent])

export const PALETTE = ['#409eff', '#67c23a', '#e6a23c', '#f56c6c', '#909399', '#9b59b6', '#1abc9c', '#34495e']
const RISK_COLOURS = { high: '#f56c6c', medium: '#e6a23c', low: '#67c23a' }

const num = (v) => (v === null || v === undefined || v === '' ? 0 : Number(v) || 0)
const zh = () => i18n.global.locale.value === 'zh-CN'

// Money on an axis: ¥1.2万 / ¥12k, short enough for a chart.
export function axisMoney(fen) {
  const yuan = num(fen) / 100
  const abs = Math.abs(yuan)
  if (zh() && abs >= 10000) return `¥${(yuan / 10000).toLocaleString('zh-CN', { maximumFractionDigits: abs >= 100000 ? 0 : 1 })}万`
  if (!zh() && abs >= 1000) return `¥${(yuan / 1000).toLocaleString('en', { maximumFractionDigits: abs >= 10000 ? 0 : 1 })}k`
  return `¥${yuan.toLocaleString(zh() ? 'zh-CN' : 'en', { maximumFractionDigits: 0 })}`
}

// The months of the report's period, so a month without rows still shows.
export function monthsOf(report) {
  const out = []
  if (!/^\d{4}-\d{2}$/.test(report.from || '') || !/^\d{4}-\d{2}$/.test(report.to || '')) return out
  for (let m = report.from; m <= report.to && out.length < 240; m = shiftMonth(m, 1)) out.push(m)
  return out
}

// Sums `fields` of `rows` grouped by `keyOf(row)`, in first-seen order.
export function sumBy(rows, keyOf, fields) {
  const out = new Map()
  for (const r of rows || []) {
    const k = keyOf(r)
    if (k === undefined || k === null) continue
    if (!out.has(k)) out.set(k, Object.fromEntries(fields.map((f) => [f, 0])))
    const acc = out.get(k)
    for (const f of fields) acc[f] += num(r[f])
  }
  return out
}

const moneyTooltip = { trigger: 'axis', valueFormatter: (v) => fenText(v) }
const grid = { left: 8, right: 16, top: 40, bottom: 8, containLabel: true }

function categoryAxis(labels) {
  return { type: 'category', data: labels, axisLabel: { interval: labels.length > 12 ? 'auto' : 0, rotate: labels.length > 6 ? 30 : 0 } }
}

function bars(labels, series, { money = false, stack = false, horizontal = false } = {}) {
  const valueAxis = { type: 'value', minInterval: money ? 0 : 1, axisLabel: money ? { formatter: axisMoney } : {} }
  const cat = categoryAxis(labels)
  return {
    color: PALETTE,
    tooltip: money ? moneyTooltip : { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid,
    xAxis: horizontal ? valueAxis : cat,
    yAxis: horizontal ? { ...cat, inverse: true, axisLabel: {} } : valueAxis,
    series: series.map((s) => ({ type: 'bar', barMaxWidth: 36, stack: stack ? 'total' : undefined, ...s })),
  }
}

function lines(labels, series, { money = false } = {}) {
  return {
    color: PALETTE,
    tooltip: money ? moneyTooltip : { trigger: 'axis' },
    legend: { top: 0, type: 'scroll' },
    grid,
    xAxis: { type: 'category', data: labels, boundaryGap: false },
    yAxis: { type: 'value', minInterval: money ? 0 : 1, axisLabel: money ? { formatter: axisMoney } : {} },
    series: series.map((s) => ({ type: 'line', smooth: true, symbolSize: 6, ...s })),
  }
}

function pie(items, { money = false } = {}) {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${money ? fenText(p.value) : intText(p.value)} (${p.percent}%)` },
    legend: { bottom: 0, type: 'scroll' },
    series: [{ type: 'pie', radius: ['36%', '64%'], center: ['50%', '45%'], avoidLabelOverlap: true, label: { formatter: '{b}\n{d}%' }, data: items }],
  }
}

// A grid of counts (a migration matrix, RFM quintiles) as a heat-map.
function heatmap(xLabels, yLabels, cells, { xName = '', yName = '' } = {}) {
  const max = Math.max(1, ...cells.map((c) => c[2]))
  return {
    tooltip: { position: 'top', formatter: (p) => `${yLabels[p.value[1]]} → ${xLabels[p.value[0]]}: ${intText(p.value[2])}` },
    grid: { left: 8, right: 70, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: xLabels, name: xName, nameLocation: 'middle', nameGap: 26, splitArea: { show: true } },
    yAxis: { type: 'category', data: yLabels, name: yName, nameLocation: 'end', splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: true, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120, itemWidth: 12, inRange: { color: ['#ecf5ff', '#409eff', '#1d3f8f'] } },
    series: [{ type: 'heatmap', data: cells, label: { show: true, formatter: (p) => (p.value[2] ? intText(p.value[2]) : '') } }],
  }
}

const storeName = (r) => r.store_name || (r.store_id !== undefined && r.store_id !== null ? `#${r.store_id}` : '')
const has = (report, key) => Array.isArray(report[key]) && report[key].length > 0
const label = (t, group, key) => {
  const k = `${group}.${key}`
  return i18n.global.te(k) ? t(k) : key
}

// Age bands come as "<25", "25-34"… and 未知 (no birthday).
const ageLabel = (t, band) => (band === '未知' && !zh() ? t('common.unknown') : band)

const BUILDERS = {
  member_sales: [
    {
      key: 'salesTrend',
      titleKey: 'reports.chart.salesTrend',
      build(report, t) {
        const months = monthsOf(report)
        const by = sumBy(report.rows, (r) => r.month, ['sales_fen', 'member_sales_fen'])
        const member = months.map((m) => (by.get(m) || {}).member_sales_fen || 0)
        const all = months.map((m) => (by.get(m) || {}).sales_fen || 0)
        const share = months.map((m, i) => (all[i] > 0 ? Math.round((member[i] * 10000) / all[i]) : null))
        return {
          color: ['#c6e2ff', '#409eff', '#e6a23c'],
          tooltip: {
            trigger: 'axis',
            formatter: (ps) => [ps[0].axisValue, ...ps.map((p) => `${p.marker}${p.seriesName}: ${p.seriesType === 'line' ? bpText(p.value) : fenText(p.value)}`)].join('<br/>'),
          },
          legend: { top: 0 },
          grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
          xAxis: { type: 'category', data: months },
          yAxis: [
            { type: 'value', axisLabel: { formatter: axisMoney } },
            { type: 'value', min: 0, max: 10000, axisLabel: { formatter: (v) => `${v / 100}%` }, splitLine: { show: false } },
          ],
          series: [
            { name: t('reports.col.sales_fen'), type: 'bar', data: all, barMaxWidth: 28, barGap: '-100%' },
            { name: t('reports.col.member_sales_fen'), type: 'bar', data: member, barMaxWidth: 28 },
            { name: t('reports.col.member_share_bp'), type: 'line', yAxisIndex: 1, data: share, smooth: true, connectNulls: true },
          ],
        }
      },
    },
    {
      key: 'salesByStore',
      titleKey: 'reports.chart.salesByStore',
      build(report, t) {
        const by = sumBy(report.rows, storeName, ['sales_fen', 'member_sales_fen'])
        const stores = [...by.keys()]
        if (stores.length < 2) return null // one store: the monthly chart says it all
        return bars(
          stores,
          [
            { name: t('reports.col.member_sales_fen'), data: stores.map((s) => by.get(s).member_sales_fen), itemStyle: { color: '#409eff' } },
            { name: t('reports.chart.nonMemberSales'), data: stores.map((s) => by.get(s).sales_fen - by.get(s).member_sales_fen), itemStyle: { color: '#c0c4cc' } },
          ],
          { money: true, stack: true },
        )
      },
    },
  ],
  member_growth: [
    {
      key: 'growthTrend',
      titleKey: 'reports.chart.growthTrend',
      build(report, t) {
        const fields = ['new_temporary', 'new_formal', 'converted', 'referred'].filter((f) => (report.rows || []).some((r) => f in r))
        if (!fields.length) return null
        const months = monthsOf(report)
        const by = sumBy(report.rows, (r) => r.month, fields)
        return lines(
          months,
          fields.map((f) => ({ name: t(`reports.col.${f}`), data: months.map((m) => (by.get(m) || {})[f] || 0) })),
        )
      },
    },
    {
      key: 'growthFunnel',
      titleKey: 'reports.chart.growthFunnel',
      build(report, t) {
        // Of the members who joined as temporary in the period, those formal
        // by its end (formal_direct joined formal at once: no stage of this).
        const f = report.funnel
        if (!f || typeof f.temporary !== 'number' || typeof f.converted !== 'number' || !f.temporary) return null
        const items = [
          { name: t('reports.chart.joinedTemporary'), value: f.temporary },
          { name: t('reports.chart.formalByEnd'), value: f.converted },
        ]
        return {
          color: PALETTE,
          tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${intText(p.value)}` },
          legend: { bottom: 0 },
          series: [{ type: 'funnel', left: '10%', width: '80%', top: 16, bottom: 40, sort: 'descending', label: { show: true, position: 'inside', formatter: (p) => `${p.name} ${intText(p.value)}` }, data: items }],
        }
      },
    },
    {
      key: 'growthSources',
      titleKey: 'reports.chart.growthSources',
      build(report, t) {
        if (!has(report, 'sources')) return null
        return pie(report.sources.map((s) => ({ name: zh() && s.name ? s.name : label(t, 'source', s.source), value: num(s.members) })))
      },
    },
  ],
  tier_mix: [
    {
      key: 'tierByMonth',
      titleKey: 'reports.chart.tierByMonth',
      build(report) {
        if (!has(report, 'by_month')) return null
        const names = new Map((report.rows || []).map((r) => [r.tier_code, r.tier_name || r.tier_code]))
        const tiers = [...new Set([...names.keys(), ...report.by_month.map((c) => c.tier_code)])]
        const months = monthsOf(report)
        const at = new Map(report.by_month.map((c) => [`${c.month}|${c.tier_code}`, num(c.members)]))
        return bars(
          months,
          tiers.map((tc) => ({ name: names.get(tc) || tc, data: months.map((m) => at.get(`${m}|${tc}`) || 0) })),
          { stack: true },
        )
      },
    },
    {
      key: 'tierMatrix',
      titleKey: 'reports.chart.tierMatrix',
      build(report, t) {
        const m = report.matrix
        if (!m || !Array.isArray(m.tiers) || !Array.isArray(m.cells)) return null
        const names = m.tiers.map((c, i) => (m.names && m.names[i]) || c)
        const index = new Map(m.tiers.map((c, i) => [c, i]))
        const cells = m.cells.filter((c) => index.has(c.from) && index.has(c.to)).map((c) => [index.get(c.to), index.get(c.from), num(c.members)])
        return heatmap(names, names, cells, { xName: t('reports.chart.toTier'), yName: t('reports.chart.fromTier') })
      },
    },
    {
      key: 'tierReasons',
      titleKey: 'reports.chart.tierReasons',
      build(report, t) {
        if (!has(report, 'reasons')) return null
        const items = report.reasons.map((r) => ({ name: `${r.direction === 'down' ? '↓' : '↑'} ${r.reason}`, value: num(r.members), itemStyle: { color: r.direction === 'down' ? '#f56c6c' : '#67c23a' } }))
        return bars(
          items.map((i) => i.name),
          [{ name: t('reports.col.members'), data: items }],
          { horizontal: true },
        )
      },
    },
    {
      key: 'tierShare',
      titleKey: 'reports.chart.tierShare',
      build(report) {
        const rows = (report.rows || []).filter((r) => num(r.members) > 0)
        if (!rows.length) return null
        return pie(rows.map((r) => ({ name: r.tier_name || r.tier_code, value: num(r.members) })))
      },
    },
  ],
  activity: [
    {
      key: 'activityByStore',
      titleKey: 'reports.chart.activityByStore',
      build(report, t) {
        // dormant_365 is counted in dormant_180 too, and 90-179 days in
        // neither: stacked, the bars show the members once each.
        const fields = ['members', 'active_90', 'dormant_180', 'dormant_365', 'never_bought']
        if (!(report.rows || []).length || !fields.every((f) => f in report.rows[0])) return null
        const by = sumBy(report.rows, storeName, fields)
        const stores = [...by.keys()]
        const bands = [
          ['active_90', t('reports.chart.active90'), '#67c23a', (x) => x.active_90],
          ['between', t('reports.chart.days90to179'), '#95d475', (x) => x.members - x.active_90 - x.dormant_180 - x.never_bought],
          ['dormant_180', t('reports.chart.days180to364'), '#e6a23c', (x) => x.dormant_180 - x.dormant_365],
          ['dormant_365', t('reports.chart.days365'), '#f56c6c', (x) => x.dormant_365],
          ['never_bought', t('reports.col.never_bought'), '#c0c4cc', (x) => x.never_bought],
        ]
        return bars(
          stores,
          bands.map(([, name, color, of]) => ({ name, data: stores.map((s) => Math.max(0, of(by.get(s)))), itemStyle: { color } })),
          { stack: true },
        )
      },
    },
  ],
  rfm: [
    {
      key: 'rfmSegments',
      titleKey: 'reports.chart.rfmSegments',
      build(report, t) {
        const rows = report.rows || []
        if (!rows.length) return null
        const names = rows.map((r) => r.segment_name || r.segment)
        return bars(names, [{ name: t('reports.col.members'), data: rows.map((r) => num(r.members)) }], { horizontal: true })
      },
    },
    {
      key: 'rfmGrid',
      titleKey: 'reports.chart.rfmGrid',
      build(report, t) {
        if (!has(report, 'grid')) return null
        const scores = ['1', '2', '3', '4', '5']
        const cells = report.grid.filter((c) => num(c.r) >= 1 && num(c.r) <= 5 && num(c.f) >= 1 && num(c.f) <= 5).map((c) => [num(c.r) - 1, num(c.f) - 1, num(c.members)])
        const option = heatmap(scores, scores, cells, { xName: t('reports.chart.recency'), yName: t('reports.chart.frequency') })
        option.tooltip.formatter = (p) => `R${p.value[0] + 1} F${p.value[1] + 1}: ${intText(p.value[2])}`
        return option
      },
    },
  ],
  churn_risk: [
    {
      key: 'churnByStore',
      titleKey: 'reports.chart.churnByStore',
      build(report, t) {
        const by = sumBy(report.rows, storeName, ['high', 'medium', 'low'])
        const stores = [...by.keys()]
        if (!stores.length) return null
        return bars(
          stores,
          ['high', 'medium', 'low'].map((f) => ({ name: t(`reports.col.${f}`), data: stores.map((s) => by.get(s)[f]), itemStyle: { color: RISK_COLOURS[f] } })),
          { stack: true },
        )
      },
    },
    {
      key: 'churnReasons',
      titleKey: 'reports.chart.churnReasons',
      build(report, t) {
        if (!has(report, 'reasons')) return null
        const items = [...report.reasons].sort((a, b) => num(b.members) - num(a.members))
        return bars(
          items.map((r) => (!zh() && r.code && i18n.global.te(`reports.reason.${r.code}`) ? t(`reports.reason.${r.code}`) : r.reason || r.code)),
          [{ name: t('reports.col.members'), data: items.map((r) => num(r.members)), itemStyle: { color: '#f56c6c' } }],
          { horizontal: true },
        )
      },
    },
    {
      key: 'churnByTier',
      titleKey: 'reports.chart.churnByTier',
      build(report, t) {
        if (!has(report, 'by_tier')) return null
        const names = report.by_tier.map((r) => r.tier_name || r.tier_code)
        return bars(
          names,
          ['high', 'medium', 'low'].map((f) => ({ name: t(`reports.col.${f}`), data: report.by_tier.map((r) => num(r[f])), itemStyle: { color: RISK_COLOURS[f] } })),
          { stack: true },
        )
      },
    },
  ],
  top_members: [
    {
      key: 'topMovement',
      titleKey: 'reports.chart.topMovement',
      build(report, t) {
        const s = report.summary
        if (!s || typeof s !== 'object') return null
        const fields = ['entered', 'stayed', 'left'].filter((f) => typeof s[f] === 'number')
        if (!fields.length) return null
        const colours = { entered: '#67c23a', stayed: '#409eff', left: '#f56c6c' }
        return bars(
          fields.map((f) => t(`reports.col.${f}`)),
          [{ name: t('reports.col.members'), data: fields.map((f) => ({ value: s[f], itemStyle: { color: colours[f] } })), label: { show: true, position: 'top' } }],
        )
      },
    },
    {
      key: 'topSpend',
      titleKey: 'reports.chart.topSpend',
      build(report, t) {
        const rows = (report.rows || []).slice(0, 20)
        if (!rows.length || !rows.some((r) => 'spend_fen' in r)) return null
        return bars(
          rows.map((r) => `${r.rank ?? ''} ${r.name || r.member_no || ''}`.trim()),
          [
            { name: t('reports.col.spend_fen'), data: rows.map((r) => num(r.spend_fen)) },
            ...(rows.some((r) => 'change_fen' in r) ? [{ name: t('reports.col.change_fen'), data: rows.map((r) => num(r.change_fen)) }] : []),
          ],
          { money: true },
        )
      },
    },
  ],
  category_mix: [
    {
      key: 'mixShare',
      titleKey: 'reports.chart.mixShare',
      build(report) {
        const rows = (report.rows || []).filter((r) => num(r.sales_fen) > 0)
        if (!rows.length) return null
        const top = rows.slice(0, 12)
        const rest = rows.slice(12).reduce((a, r) => a + num(r.sales_fen), 0)
        const items = top.map((r) => ({ name: r.name || r.key, value: num(r.sales_fen) }))
        if (rest > 0) items.push({ name: i18n.global.t('reports.chart.others'), value: rest })
        return pie(items, { money: true })
      },
    },
    {
      key: 'mixBars',
      titleKey: 'reports.chart.mixBars',
      build(report, t) {
        const rows = (report.rows || []).slice(0, 20)
        if (!rows.length) return null
        return bars(rows.map((r) => r.name || r.key), [{ name: t('reports.col.sales_fen'), data: rows.map((r) => num(r.sales_fen)) }], { money: true })
      },
    },
  ],
  member_profile: [
    {
      key: 'profileAgeGender',
      titleKey: 'reports.chart.profileAgeGender',
      build(report, t) {
        const rows = report.rows || []
        if (!rows.length) return null
        const bands = has(report, 'by_age') ? report.by_age.map((b) => b.age_band) : [...new Set(rows.map((r) => r.age_band))]
        const genderOf = (r) => r.gender_code || r.gender
        const genders = [...new Set(rows.map(genderOf))]
        const names = new Map(rows.map((r) => [genderOf(r), zh() || !r.gender_code ? r.gender : label(t, 'gender', r.gender_code)]))
        const at = sumBy(rows, (r) => `${r.age_band}|${genderOf(r)}`, ['members'])
        return bars(
          bands.map((b) => ageLabel(t, b)),
          genders.map((g) => ({ name: names.get(g), data: bands.map((b) => (at.get(`${b}|${g}`) || {}).members || 0) })),
          { stack: true },
        )
      },
    },
    {
      key: 'profileSales',
      titleKey: 'reports.chart.profileSales',
      build(report, t) {
        const rows = has(report, 'by_age') ? report.by_age : report.rows || []
        if (!rows.some((r) => 'sales_fen' in r)) return null
        const by = sumBy(rows, (r) => r.age_band, ['sales_fen'])
        const bands = [...by.keys()]
        return bars(bands.map((b) => ageLabel(t, b)), [{ name: t('reports.col.sales_fen'), data: bands.map((b) => by.get(b).sales_fen) }], { money: true })
      },
    },
  ],
  care_work: [
    {
      key: 'careByMonth',
      titleKey: 'reports.chart.careByMonth',
      build(report, t) {
        // By month over a longer period with work in several months, else by store.
        const fields = ['planned', 'done', 'on_time', 'overdue'].filter((f) => (report.rows || []).some((r) => f in r))
        if (!fields.length) return null
        const byMonth = new Set((report.rows || []).map((r) => r.month).filter(Boolean)).size > 1
        const by = sumBy(report.rows, byMonth ? (r) => r.month : storeName, fields)
        const labels = byMonth ? monthsOf(report) : [...by.keys()]
        return {
          titleKey: byMonth ? 'reports.chart.careByMonth' : 'reports.chart.careByStore',
          option: bars(labels, fields.map((f) => ({ name: t(`reports.col.${f}`), data: labels.map((l) => (by.get(l) || {})[f] || 0) }))),
        }
      },
    },
    {
      key: 'careByChannel',
      titleKey: 'reports.chart.careByChannel',
      build(report, t) {
        if (!(report.rows || []).some((r) => r.channel)) return null
        const fields = ['planned', 'done', 'overdue'].filter((f) => report.rows.some((r) => f in r))
        const by = sumBy(report.rows, (r) => r.channel, fields)
        const channels = [...by.keys()]
        return bars(channels.map((c) => label(t, 'channel', c)), fields.map((f) => ({ name: t(`reports.col.${f}`), data: channels.map((c) => by.get(c)[f]) })))
      },
    },
  ],
  campaigns: [
    {
      key: 'campaignUplift',
      titleKey: 'reports.chart.campaignUplift',
      build(report, t) {
        const rows = report.rows || []
        if (!rows.length || !rows.some((r) => 'sales_fen' in r)) return null
        const names = rows.map((r) => r.name || r.campaign)
        return bars(
          names,
          [
            { name: t('reports.col.sales_fen'), data: rows.map((r) => num(r.sales_fen)) },
            ...(rows.some((r) => 'baseline_fen' in r) ? [{ name: t('reports.col.baseline_fen'), data: rows.map((r) => num(r.baseline_fen)), itemStyle: { color: '#c0c4cc' } }] : []),
          ],
          { money: true },
        )
      },
    },
  ],
}

// One bar chart of the first figure column by the first label column, for a
// report without charts of its own.
function fallback(report, title) {
  const cols = report.columns || []
  const labelCol = cols.find((c) => c.kind === 'text' || c.kind === 'month' || c.kind === 'date')
  const valueCol = cols.find((c) => c.kind === 'int' || c.kind === 'fen')
  if (!labelCol || !valueCol || !(report.rows || []).length) return []
  const by = sumBy(report.rows, (r) => r[labelCol.key], [valueCol.key])
  const labels = [...by.keys()].slice(0, 40)
  return [
    {
      key: 'overview',
      titleKey: 'reports.chart.overview',
      titleArgs: { figure: title(valueCol), by: title(labelCol) },
      option: bars(labels.map(String), [{ name: title(valueCol), data: labels.map((l) => by.get(l)[valueCol.key]) }], { money: valueCol.kind === 'fen' }),
    },
  ]
}

// Sections of an answer that only a chart shows (a table of them would be
// long and say nothing the chart does not).
export const CHART_ONLY = {
  tier_mix: ['by_month', 'matrix'],
  rfm: ['grid'],
}

// One chart of a report by its key (for the dashboard), or null.
export function chartOf(report, key, t) {
  const b = report && (BUILDERS[report.name] || []).find((x) => x.key === key)
  if (!b) return null
  try {
    const option = b.build(report, t)
    return option && option.option ? option.option : option
  } catch {
    return null
  }
}

// The charts of `report`: [{key, titleKey, titleArgs?, option}]. `title(col)`
// names a column as the table does.
export function chartsFor(report, t, title = (c) => c.title) {
  if (!report) return []
  const out = []
  for (const b of BUILDERS[report.name] || []) {
    let option = null
    try {
      option = b.build(report, t)
    } catch (e) {
      console.warn(`report chart ${report.name}/${b.key}: ${e}`) // a section shaped otherwise: no chart
      option = null
    }
    // A builder may name its own title: {titleKey, option}.
    if (option && option.option) out.push({ key: b.key, titleKey: option.titleKey || b.titleKey, option: option.option })
    else if (option) out.push({ key: b.key, titleKey: b.titleKey, option })
  }
  if (out.length) return out
  try {
    return fallback(report, title)
  } catch {
    return []
  }
}

