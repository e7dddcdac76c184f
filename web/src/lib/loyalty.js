// Loyalty helpers shared by the till, the member's points tab, the approval
// queue and the program editor: money and rate conversions, the external id
// and time of a till sale, readable tier conditions (src/domain/program.h),
// program names for the member page and the store settings.

// "12.50" (yuan, as typed) → 1250 fen; null when it is not an amount of at
// most two decimals. Integer arithmetic only: never a float for money.
export function yuanToFen(text) {
  const s = String(text ?? '').trim().replace(/[,，¥￥\s]/g, '')
  const m = /^(\d{1,9})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'))
}

// 123456 fen → "¥1,234.56" (whole yuan without decimals).
export function money(fen) {
  if (fen === null || fen === undefined) return ''
  const n = Number(fen)
  const yuan = n / 100
  const whole = n % 100 === 0
  return `¥${yuan.toLocaleString('zh-CN', { minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 })}`
}

// Points with thousands separators and a sign when asked.
export function pointsText(p, signed = false) {
  if (p === null || p === undefined) return ''
  const n = Number(p)
  const s = Math.abs(n).toLocaleString('zh-CN')
  if (n < 0) return `-${s}`
  return signed && n > 0 ? `+${s}` : s
}

// Discount basis points → 折 number: 9500 → 9.5, 10000 → 10 (no discount).
export function bpToZhe(bp) {
  return Math.round(Number(bp)) / 1000
}
export function zheToBp(zhe) {
  return Math.round(Number(zhe) * 1000)
}
// Multiplier basis points → times: 15000 → 1.5.
export function bpToTimes(bp) {
  return Math.round(Number(bp)) / 10000
}
export function timesToBp(x) {
  return Math.round(Number(x) * 10000)
}

const pad = (n, w = 2) => String(n).padStart(w, '0')

// The wall time in China (UTC+8) of `date`: its parts as numbers.
function chinaParts(date = new Date()) {
  const d = new Date(date.getTime() + 8 * 3600 * 1000)
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
}

// RFC 3339 with the +08:00 offset the chain works in: "2026-11-23T14:05:00+08:00".
export function nowChina(date = new Date()) {
  const p = chinaParts(date)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}+08:00`
}

// Today in China as YYYY-MM-DD.
export function todayChina(date = new Date()) {
  const p = chinaParts(date)
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`
}

// Days from `from` to `to` (both YYYY-MM-DD).
export function daysBetween(from, to) {
  const a = Date.parse(`${from}T00:00:00Z`)
  const b = Date.parse(`${to}T00:00:00Z`)
  return Math.round((b - a) / 86400000)
}

// Whole days (China's calendar) a tier queued at `queuedAt` (RFC 3339) has
// waited for the store manager's approval, as the i18n text that says so.
export function waitingText(t, queuedAt) {
  const days = daysBetween(todayChina(new Date(queuedAt)), todayChina())
  return days > 0 ? t('approvals.waitingDays', { n: days }) : t('approvals.queuedToday')
}

// The idempotency key of a till sale (L1): "WEB-<store>-<yyyymmddhhmmss>-<random>".
// A retry of the same cart sends the same key, so a sale is never posted twice.
export function newExternalId(store, date = new Date()) {
  const p = chinaParts(date)
  const stamp = `${p.y}${pad(p.mo)}${pad(p.d)}${pad(p.h)}${pad(p.mi)}${pad(p.s)}`
  const bytes = new Uint8Array(4)
  crypto.getRandomValues(bytes)
  const rnd = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()
  const code = String(store ?? 'X').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 20) || 'X'
  return `WEB-${code}-${stamp}-${rnd}`
}

// Metrics whose value is money (fen); the rest are counts, points or percent.
const MONEY_METRICS = ['spend_3m', 'spend_6m', 'spend_12m', 'first_purchase', 'largest_purchase_12m']

export function isMoneyMetric(metric) {
  return MONEY_METRICS.includes(metric)
}

// One condition as staff read it: "近12个月消费 ≥ ¥5,000".
export function conditionText(t, c) {
  const what = t(`metric.${c.metric}`)
  const value = isMoneyMetric(c.metric) ? money(c.value) : c.metric === 'rank_percentile' ? `${c.value}%` : Number(c.value).toLocaleString('zh-CN')
  return `${what} ${c.op === '<=' ? '≤' : '≥'} ${value}`
}

// any_of(all_of(...)) as "A 且 B；或 C", plus "需审批" when set.
export function qualifyText(t, qualify) {
  if (!qualify) return ''
  const groups = (qualify.any_of || []).map((g) => (g.all_of || []).map((c) => conditionText(t, c)).join(t('programs.and')))
  let s = groups.join(t('programs.or'))
  if (qualify.approval_required) s += t('programs.needsApproval')
  return s
}

// The value a program is chosen by (GET /programs items): its stable id, or
// its code from a server that lists no ids.
export function programKey(p) {
  return p.id || p.code
}

// The display name of the program `id` (a stable id or a code) among
// `programs` (GET /programs items); '' when it is not listed.
export function programName(programs, id) {
  if (!id) return ''
  const p = (programs || []).find((x) => x.id === id || x.code === id)
  return p ? p.name : ''
}
