// The program editor's form model (SPEC L3, L4, L5, L7): exact conversions
// between the integers of the program JSON and what an admin types, the
// server's defaults for the parts the form shows, the server's limits
// (src/domain/program.cc ParseProgram) as client checks, and server field
// paths → the form field that shows them. No floats reach the JSON: a value
// with more decimals than its unit holds stays a non-integer, which the checks
// refuse instead of rounding it silently.
import { ApiError } from '../../lib/api.js'
import { errorText, fieldToProp } from '../../lib/errors.js'
import { yuanToFen } from '../../lib/loyalty.js'

// src/domain/program.cc and program.h.
export const LIMITS = {
  maxFen: 100000000000, // kMaxFen
  maxPoints: 1000000000, // kMaxPoints
  fullRate: 10000, // kFullRate
  maxMultiplierBp: 100000, // kMaxMultiplier (x10)
  maxNameChars: 100, // kMaxNameChars
  maxTextChars: 2000, // kMaxTextChars (description)
  maxItems: 50, // kMaxItems (a campaign's categories)
  maxCategories: 200,
  maxCampaigns: 100,
  maxQualificationMonths: 24, // kMaxQualificationMonths
}
const CODE = /^[a-z0-9_-]{1,40}$/
export const EXPIRY_MODES = ['never', 'rolling_months', 'year_end']

// ---- exact conversions ----

// Integer `n` in units of 10^-decimals as the number an input shows:
// (15000, 4) → 1.5, (1250, 2) → 12.5. A value that is not an integer (typed
// into the JSON) is shown as it is, so the checks can point at it.
export function fromScaled(n, decimals) {
  if (n === null || n === undefined || n === '') return null
  if (typeof n !== 'number' || !Number.isInteger(n)) return Number(n) / 10 ** decimals
  const abs = String(Math.abs(n)).padStart(decimals + 1, '0')
  return Number(`${n < 0 ? '-' : ''}${abs.slice(0, abs.length - decimals)}.${abs.slice(abs.length - decimals)}`)
}

// The number an input holds → integer units, by its decimal digits (no
// multiplication of floats): (1.5, 4) → 15000. More decimals than the unit
// holds give a non-integer (refused by the checks); a cleared input gives null.
export function toScaled(v, decimals) {
  if (v === null || v === undefined || v === '') return null
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(v).trim())
  if (!m) return Number.NaN
  const frac = m[3] || ''
  if (frac.length > decimals) return Number(v) * 10 ** decimals
  const n = Number(m[2]) * 10 ** decimals + Number(frac.padEnd(decimals, '0') || '0')
  return m[1] ? -n : n
}

// Multipliers in basis points ↔ times (15000 ↔ 1.5); rates in basis points ↔
// percent (5000 ↔ 50); fen ↔ yuan (yuan → fen through lib/loyalty.js yuanToFen).
export const bpToTimes = (bp) => fromScaled(bp, 4)
export const timesToBp = (x) => toScaled(x, 4)
export const bpToPercent = (bp) => fromScaled(bp, 2)
export const percentToBp = (x) => toScaled(x, 2)
export const fenToYuan = (fen) => fromScaled(fen, 2)
export function yuanToFenExact(v) {
  if (v === null || v === undefined || v === '') return null
  return yuanToFen(String(v)) ?? toScaled(v, 2)
}

// "1.5" for a multiplier, "50" for a rate, as text in summaries.
export const timesText = (bp) => String(bpToTimes(bp))
export const percentText = (bp) => String(bpToPercent(bp))

// ---- defaults (program.h) ----

export function retentionDefaults() {
  return { inactivity_months: 12, frequency_drop_bp: 5000, frequency_min_prior: 2, requalify: false, warning_days: 30, grace_days: 30, hold_until_period_end: true }
}

export function cashBackDefaults() {
  return { every_points: 1000, voucher_fen: 1000, automatic: false }
}

// A new campaign window: a code not used yet, today to today + 6 days.
export function newCampaign(campaigns, today) {
  const codes = new Set((campaigns || []).map((c) => c && c.code))
  let n = (campaigns || []).length + 1
  while (codes.has(`campaign-${n}`)) n++
  return { code: `campaign-${n}`, name: '', from: today, to: addDays(today, 6), multiplier_bp: 10000, bonus_points: 0, min_spend_fen: 0, categories: [] }
}

export function addDays(day, n) {
  const d = new Date(Date.parse(`${day}T00:00:00Z`) + n * 86400000)
  return d.toISOString().slice(0, 10)
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

// The first part of `p` the form cannot show (a list that is not a list, an
// object that is not an object), as a server-style path; null when the form
// can show it all. Checked when leaving the JSON editor.
export function shapeProblem(p) {
  if (!isObject(p)) return '(root)'
  if (!isObject(p.earning)) return 'earning'
  const lists = [
    ['earning.category_multipliers', p.earning.category_multipliers],
    ['earning.campaigns', p.earning.campaigns],
  ]
  for (const [path, v] of lists) {
    if (v === undefined) continue
    if (!Array.isArray(v)) return path
    const bad = v.findIndex((x) => !isObject(x))
    if (bad >= 0) return `${path}[${bad}]`
  }
  for (const [i, c] of (p.earning.campaigns || []).entries()) {
    if (c.categories !== undefined && !Array.isArray(c.categories)) return `earning.campaigns[${i}].categories`
  }
  if (p.expiry !== undefined && !isObject(p.expiry)) return 'expiry'
  if (p.redemption !== undefined) {
    if (!isObject(p.redemption)) return 'redemption'
    const cb = p.redemption.cash_back
    if (cb !== undefined && cb !== null && !isObject(cb)) return 'redemption.cash_back'
    if (p.redemption.voucher !== undefined && !isObject(p.redemption.voucher)) return 'redemption.voucher'
  }
  if (!Array.isArray(p.tiers)) return 'tiers'
  for (const [i, tier] of p.tiers.entries()) {
    if (!isObject(tier)) return `tiers[${i}]`
    for (const k of ['qualify', 'retention', 'benefits']) {
      if (tier[k] !== undefined && !isObject(tier[k])) return `tiers[${i}].${k}`
    }
  }
  return null
}

// Fills, in place, what the form shows but `p` leaves out with the server's
// defaults (the same meaning, spelt out), so the form has something to bind
// to. Only for a `p` without a shapeProblem. Returns `p`.
export function withFormDefaults(p) {
  const e = p.earning
  e.category_multipliers ??= []
  e.campaigns ??= []
  e.birthday_multiplier_bp ??= 10000
  for (const c of e.campaigns) {
    c.multiplier_bp ??= 10000
    c.bonus_points ??= 0
    c.min_spend_fen ??= 0
    c.categories ??= []
  }
  p.expiry ??= {}
  p.expiry.mode ??= 'never'
  p.expiry.months ??= 0
  p.expiry.years ??= 0
  p.expiry.warn_days ??= 30
  p.redemption ??= {}
  if (p.redemption.cash_back === undefined) p.redemption.cash_back = null
  p.redemption.voucher ??= {}
  p.redemption.voucher.min_spend_fen ??= 0
  p.redemption.voucher.valid_days ??= 90
  for (const tier of p.tiers) {
    tier.retention = { ...retentionDefaults(), ...(tier.retention || {}) }
  }
  return p
}

// ---- client checks (the server's limits) ----

function realDay(s) {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false
  const [y, m, d] = s.split('-').map(Number)
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function textProblem(t, s, max, required) {
  if (typeof s !== 'string' || (required && s === '')) return t('v.required')
  if ([...s].length > max) return t('v.maxChars', { n: max })
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) return t('v.control')
  return null
}

// The problems the server would refuse in the parts of `p` the form shows,
// as [{path, prop, text}] (path as the server spells it).
export function checkProgram(t, p) {
  const out = []
  const add = (path, text) => out.push({ path, prop: fieldToProp(path), text })
  const int = (path, v, lo, hi) => {
    if (v === null || v === undefined) add(path, t('v.required'))
    else if (!Number.isInteger(v) || v < lo || v > hi) add(path, t('err.intRange', { n: lo, m: hi }))
  }
  const times = (path, bp, lo, hi) => {
    if (bp === null || bp === undefined) add(path, t('v.required'))
    else if (!Number.isInteger(bp) || bp < lo || bp > hi) add(path, t('programEditor.check.times', { min: timesText(lo), max: timesText(hi) }))
  }
  const percent = (path, bp, lo, hi) => {
    if (bp === null || bp === undefined) add(path, t('v.required'))
    else if (!Number.isInteger(bp) || bp < lo || bp > hi) add(path, t('programEditor.check.percent', { min: percentText(lo), max: percentText(hi) }))
  }
  const yuan = (path, fen, lo, hi) => {
    if (fen === null || fen === undefined) add(path, t('v.required'))
    else if (!Number.isInteger(fen) || fen < lo || fen > hi) add(path, t('programEditor.check.yuan', { min: fenToYuan(lo), max: fenToYuan(hi) }))
  }
  const text = (path, s, max, required) => {
    const problem = textProblem(t, s, max, required)
    if (problem) add(path, problem)
  }

  text('name', p.name, LIMITS.maxNameChars, true)
  text('description', p.description ?? '', LIMITS.maxTextChars, false)
  int('qualification_months', p.qualification_months, 1, LIMITS.maxQualificationMonths)
  const e = p.earning
  const fen = e.fen_per_step
  if (!Number.isInteger(fen) || fen < 1 || fen > 100000000) add('earning.fen_per_step', t('programEditor.check.yuan', { min: '0.01', max: '1000000' }))
  int('earning.points_per_step', e.points_per_step, 1, 1000000)
  times('earning.birthday_multiplier_bp', e.birthday_multiplier_bp, 0, LIMITS.maxMultiplierBp)

  const cats = e.category_multipliers || []
  if (cats.length > LIMITS.maxCategories) add('earning.category_multipliers', t('v.maxItems', { n: LIMITS.maxCategories }))
  const seen = new Set()
  cats.forEach((c, i) => {
    const path = `earning.category_multipliers[${i}]`
    const problem = textProblem(t, c.category, LIMITS.maxNameChars, true)
    if (problem) add(`${path}.category`, problem)
    else if (seen.has(c.category)) add(`${path}.category`, t('programEditor.check.categoryTwice'))
    seen.add(c.category)
    times(`${path}.multiplier_bp`, c.multiplier_bp, 0, LIMITS.maxMultiplierBp)
  })

  const campaigns = e.campaigns || []
  if (campaigns.length > LIMITS.maxCampaigns) add('earning.campaigns', t('v.maxItems', { n: LIMITS.maxCampaigns }))
  const codes = new Set()
  campaigns.forEach((c, i) => {
    const path = `earning.campaigns[${i}]`
    if (typeof c.code !== 'string' || !CODE.test(c.code)) add(`${path}.code`, t('programEditor.check.code'))
    else if (codes.has(c.code)) add(`${path}.code`, t('programEditor.check.campaignCodeTwice'))
    codes.add(c.code)
    text(`${path}.name`, c.name, LIMITS.maxNameChars, true)
    const fromOk = realDay(c.from)
    const toOk = realDay(c.to)
    if (!fromOk) add(`${path}.from`, t('programEditor.check.date'))
    if (!toOk) add(`${path}.to`, t('programEditor.check.date'))
    else if (fromOk && c.to < c.from) add(`${path}.to`, t('programEditor.check.toBeforeFrom'))
    times(`${path}.multiplier_bp`, c.multiplier_bp, LIMITS.fullRate, LIMITS.maxMultiplierBp)
    int(`${path}.bonus_points`, c.bonus_points, 0, LIMITS.maxPoints)
    yuan(`${path}.min_spend_fen`, c.min_spend_fen, 0, LIMITS.maxFen)
    const list = c.categories || []
    if (list.length > LIMITS.maxItems) add(`${path}.categories`, t('v.maxItems', { n: LIMITS.maxItems }))
    list.forEach((s, k) => {
      const problem = textProblem(t, s, LIMITS.maxNameChars, true)
      if (problem) add(`${path}.categories[${k}]`, problem)
    })
  })

  const x = p.expiry
  if (!EXPIRY_MODES.includes(x.mode)) add('expiry.mode', t('v.required'))
  int('expiry.months', x.months, 0, 120)
  int('expiry.years', x.years, 0, 10)
  int('expiry.warn_days', x.warn_days, 0, 365)
  if (x.mode === 'rolling_months' && x.months === 0) add('expiry.months', t('programEditor.check.rollingMonths'))
  if (x.mode !== 'rolling_months' && Number.isInteger(x.months) && x.months !== 0) add('expiry.months', t('programEditor.check.monthsOnlyRolling'))
  if (x.mode !== 'year_end' && Number.isInteger(x.years) && x.years !== 0) add('expiry.years', t('programEditor.check.yearsOnlyYearEnd'))

  const cb = p.redemption.cash_back
  if (cb) {
    int('redemption.cash_back.every_points', cb.every_points, 1, LIMITS.maxPoints)
    yuan('redemption.cash_back.voucher_fen', cb.voucher_fen, 1, LIMITS.maxFen)
  }
  yuan('redemption.voucher.min_spend_fen', p.redemption.voucher.min_spend_fen, 0, LIMITS.maxFen)
  int('redemption.voucher.valid_days', p.redemption.voucher.valid_days, 1, 3650)

  p.tiers.forEach((tier, i) => {
    const r = tier.retention
    const path = `tiers[${i}].retention`
    int(`${path}.inactivity_months`, r.inactivity_months, 0, 36)
    percent(`${path}.frequency_drop_bp`, r.frequency_drop_bp, 0, LIMITS.fullRate)
    int(`${path}.frequency_min_prior`, r.frequency_min_prior, 1, 1000)
    int(`${path}.warning_days`, r.warning_days, 0, 365)
    int(`${path}.grace_days`, r.grace_days, 0, 365)
  })
  return out
}

// ---- server errors ----

// Form props that show exactly the server field of the same path.
const DIRECT = new Set([
  'name',
  'description',
  'upgrade_mode',
  'qualification_months',
  'earning.rounding',
  'earning.promo_lines_earn',
  'earning.birthday_multiplier_bp',
  'earning.category_multipliers',
  'earning.campaigns',
  'expiry.mode',
  'expiry.months',
  'expiry.years',
  'expiry.warn_days',
  'redemption.cash_back',
  'redemption.cash_back.every_points',
  'redemption.cash_back.voucher_fen',
  'redemption.cash_back.automatic',
  'redemption.voucher.min_spend_fen',
  'redemption.voucher.valid_days',
])
const PATTERNS = [
  /^earning\.category_multipliers\.\d+\.(category|multiplier_bp)$/,
  /^earning\.campaigns\.\d+\.(code|name|from|to|multiplier_bp|bonus_points|min_spend_fen|categories)$/,
  /^tiers\.\d+\.retention\.(inactivity_months|frequency_drop_bp|frequency_min_prior|requalify|warning_days|grace_days|hold_until_period_end)$/,
  /^tiers\.\d+\.(name|code)$/,
]

// The form prop that shows a server field path, or null (then only the JSON
// editor shows it).
export function formPropOf(path) {
  const prop = fieldToProp(path) || ''
  if (DIRECT.has(prop)) return prop
  if (PATTERNS.some((re) => re.test(prop))) return prop
  if (prop === 'earning.fen_per_step' || prop === 'earning.points_per_step') return 'earning.rate'
  let m = /^(earning\.campaigns\.\d+\.categories)\.\d+$/.exec(prop)
  if (m) return m[1]
  m = /^tiers\.(\d+)\.benefits\.discount_bp$/.exec(prop)
  if (m) return `tiers.${m[1]}.discount`
  m = /^tiers\.(\d+)\.points_multiplier_bp$/.exec(prop)
  if (m) return `tiers.${m[1]}.multiplier`
  m = /^tiers\.(\d+)\.qualify(\.|$)/.exec(prop)
  if (m) return `tiers.${m[1]}.qualify`
  return null
}

// The program reader's own refusals (src/domain/program.cc, json_object.h)
// in the admin's language; the rest go through lib/errors.js.
const SERVER_TEXTS = [
  [/^must not be before from/, (t) => t('programEditor.check.toBeforeFrom')],
  [/^is listed twice/, (t) => t('programEditor.check.categoryTwice')],
  [/^is used by another campaign/, (t) => t('programEditor.check.campaignCodeTwice')],
  [/^must be a date YYYY-MM-DD/, (t) => t('programEditor.check.date')],
  [/^must be 1-120 for rolling_months/, (t) => t('programEditor.check.rollingMonths')],
  [/^is only used by rolling_months/, (t) => t('programEditor.check.monthsOnlyRolling')],
  [/^is only used by year_end/, (t) => t('programEditor.check.yearsOnlyYearEnd')],
  [/^must be 1-40 characters of a-z/, (t) => t('programEditor.check.code')],
]

// An integer range on a field the form shows in another unit, in that unit.
function rangeText(t, path, lo, hi) {
  const field = (path || '').split('.').pop()
  if (/multiplier_bp$/.test(field)) return t('programEditor.check.times', { min: timesText(lo), max: timesText(hi) })
  if (field === 'frequency_drop_bp') return t('programEditor.check.percent', { min: percentText(lo), max: percentText(hi) })
  if (/_fen$/.test(field)) return t('programEditor.check.yuan', { min: fenToYuan(lo), max: fenToYuan(hi) })
  return null
}

// The text for an error of PUT /programs/{code} (or anything thrown).
export function programErrorText(t, e) {
  if (e instanceof ApiError && e.code === 'invalid_argument') {
    const msg = e.message || ''
    for (const [re, text] of SERVER_TEXTS) if (re.test(msg)) return text(t)
    const m = /^must be an integer from (-?\d+) to (-?\d+)/.exec(msg)
    if (m) {
      const s = rangeText(t, e.field, Number(m[1]), Number(m[2]))
      if (s) return s
    }
  }
  return errorText(t, e)
}
