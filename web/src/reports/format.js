// How report figures read on screen (GET /api/v1/reports/{name}): each column
// of a report names its kind — text, int, fen (money in fen), bp (basis
// points, 10000 = 100 %), month or date. Integer arithmetic only: fen and bp
// never pass through a float, so ¥1,234.56 and 45.45% read exactly as in the
// CSV/XLSX export (src/service/reports/export.cc).

export const KINDS = ['text', 'int', 'fen', 'bp', 'month', 'date']

function thousands(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

// 123456789 fen → "¥1,234,567.89"; negative amounts (refunds) keep the sign.
export function fenText(fen) {
  if (fen === null || fen === undefined || fen === '') return ''
  const n = Number(fen)
  if (!Number.isFinite(n)) return String(fen)
  const abs = Math.abs(Math.trunc(n))
  const yuan = Math.floor(abs / 100)
  const cents = String(abs % 100).padStart(2, '0')
  return `${n < 0 ? '-' : ''}¥${thousands(String(yuan))}.${cents}`
}

// 123456789 fen → "¥1,234,568": whole yuan (half up), for a dashboard figure.
export function wholeYuanText(fen) {
  if (fen === null || fen === undefined || fen === '') return ''
  const n = Math.trunc(Number(fen))
  if (!Number.isFinite(n)) return String(fen)
  return `${n < 0 ? '-' : ''}¥${thousands(String(Math.floor((Math.abs(n) + 50) / 100)))}`
}

// 4545 bp → "45.45%"; null (no base to compare with) → "—".
export function bpText(bp) {
  if (bp === null || bp === undefined || bp === '') return '—'
  const n = Math.trunc(Number(bp))
  if (!Number.isFinite(n)) return String(bp)
  const abs = Math.abs(n)
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}%`
}

export function intText(v) {
  if (v === null || v === undefined || v === '') return ''
  const n = Number(v)
  if (!Number.isFinite(n)) return String(v)
  return `${n < 0 ? '-' : ''}${thousands(String(Math.abs(Math.trunc(n))))}`
}

// One cell as text. Lists (e.g. a member's churn reasons) join with "；" as
// in the export; true/false read as 是/否 in the caller's language.
export function cellText(value, kind, t) {
  if (value === null || value === undefined) return kind === 'bp' ? '—' : ''
  if (Array.isArray(value)) return value.map((v) => cellText(v, 'text', t)).join('；')
  if (typeof value === 'boolean') return t ? t(value ? 'common.yes' : 'common.no') : String(value)
  if (typeof value === 'object') return Object.values(value).join(' ')
  if (typeof value === 'number') {
    if (kind === 'fen') return fenText(value)
    if (kind === 'bp') return bpText(value)
    if (kind === 'int') return intText(value)
  }
  return String(value)
}

// The kind of a field of a report section, which has no column list: by the
// naming the reports keep (`*_fen` money, `*_bp` shares, `month`, `*_day`).
export function kindOfKey(key, sample) {
  if (/_fen$/.test(key)) return 'fen'
  if (/_bp$/.test(key)) return 'bp'
  if (key === 'month' || /_month$/.test(key)) return 'month'
  if (key === 'date' || /_(day|date|on)$/.test(key)) return 'date'
  if (typeof sample === 'number') return 'int'
  return 'text'
}

// Whether a column holds a number that is summed or compared (right-aligned,
// sortable, drawn in charts).
export function isNumericKind(kind) {
  return kind === 'int' || kind === 'fen' || kind === 'bp'
}

// Months "YYYY-MM": this month in China and `n` months before or after.
export function shiftMonth(month, n) {
  const [y, m] = month.split('-').map(Number)
  const index = y * 12 + (m - 1) + n
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}
