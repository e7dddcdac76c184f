// The server's masks (src/domain/mask.cc), used only where the API returns a
// value unmasked that the viewer is otherwise shown masked: the old/new values
// of the change history. The server remains the place where masking is enforced.

function maskPhone(n) {
  if (!n) return ''
  if (/^1[3-9][0-9]{9}$/.test(n)) return `${n.slice(0, 3)}****${n.slice(7)}`
  return n.length <= 4 ? '****' : `****${n.slice(-4)}`
}

function maskText(s) {
  if (!s) return ''
  return `${[...s][0]}****`
}

function maskEmail(e) {
  if (!e) return ''
  const at = e.indexOf('@')
  if (at <= 0) return '***'
  return `${[...e][0]}***${e.slice(at)}`
}

function maskIdNumber(id) {
  if (!id) return ''
  if (id.length < 10) return '********'
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4)
}

const MASKS = {
  mobile: maskPhone,
  office_phone: maskPhone,
  home_phone: maskPhone,
  email: maskEmail,
  wechat_id: maskText,
  id_number: maskIdNumber,
  spouse_name: maskText,
}
// Whole structures that hold masked parts: shown as "masked".
const OPAQUE = new Set(['addresses', 'family', 'business'])

// `value` of member field `field` as a masked viewer may see it; `opaque`
// (a placeholder text) for structures with masked parts.
export function maskFieldValue(field, value, opaque) {
  if (MASKS[field]) return typeof value === 'string' ? MASKS[field](value) : value
  if (OPAQUE.has(field)) return opaque
  return value
}
