// Display helpers shared by the pages.

const pad = (n) => String(n).padStart(2, '0')

// A UTC timestamp `YYYY-MM-DDTHH:MM:SSZ` in the browser's local time.
export function formatTime(ts) {
  if (!ts) return ''
  const d = new Date(ts)
  if (Number.isNaN(d.getTime())) return ts
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

// Whether the server masked this value for the viewer (P3): masks use '*'.
export function isMasked(v) {
  return typeof v === 'string' && v.includes('*')
}

// Fen (int64 cents) as yuan with two decimals.
export function yuan(fen) {
  if (fen === null || fen === undefined) return ''
  return (Number(fen) / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

// Whether the server sent this member file masked: fields that can never
// hold a '*' of their own carry one (phones, ID number), or an address is cut.
export function looksMasked(m) {
  if (!m) return false
  const stars = [m.mobile, m.office_phone, m.home_phone, m.id_number].some(isMasked)
  return stars || (m.addresses || []).some((a) => a.detail === '****')
}

export const STATUS_TYPES = {
  prospect: 'info',
  temporary: 'warning',
  formal: 'success',
  suspended: 'danger',
  closed: 'info',
  merged: 'info',
  erased: 'danger',
}

export const CARD_STATUS_TYPES = {
  pending_pickup: 'warning',
  issued: 'success',
  mailed: 'primary',
  lost: 'danger',
  replaced: 'info',
  expired: 'info',
}

export function activeCard(cards) {
  return (cards || []).find((c) => ['pending_pickup', 'issued', 'mailed'].includes(c.status)) || null
}
