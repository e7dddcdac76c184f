// Client-side checks that mirror the server's (src/domain/member.cc
// ValidateMember, src/domain/org.cc, src/service/accounts.cc). Each check
// returns null when the value is fine, or [i18nKey, params] naming the problem;
// the server still checks everything and its answer wins.

export const LIMITS = {
  name: 40,
  shortText: 100,
  longText: 2000,
  listItems: 50,
  tag: 30,
  addresses: 10,
  family: 20,
  anniversaries: 20,
  size: 20,
  detail: 200,
  postcode: 10,
}

export const CHANNELS = ['sms', 'phone', 'email', 'wechat', 'visit', 'mail', 'gift']
export const OCCUPATIONS = ['teacher', 'military', 'medical', 'police', 'journalist', 'nurse', 'other']

// Characters as the server counts them (UTF-8 code points).
export function charCount(s) {
  return [...(s || '')].length
}

function byteCount(s) {
  return new TextEncoder().encode(s || '').length
}

// IsValidMobile: 11 digits, "1" then 3-9.
export function isValidMobile(n) {
  return /^1[3-9][0-9]{9}$/.test(n || '')
}

// IsValidPhone: 5-20 characters of digits, spaces, '-', optional leading '+', at least 5 digits.
export function isValidPhone(n) {
  if (!n || n.length < 5 || n.length > 20) return false
  if (!/^\+?[0-9 -]+$/.test(n)) return false
  return (n.match(/[0-9]/g) || []).length >= 5
}

export function isValidEmail(e) {
  if (!e || e.length > 254 || /[\s\x00-\x1f]/.test(e)) return false
  const at = e.indexOf('@')
  if (at <= 0 || e.indexOf('@', at + 1) !== -1) return false
  const domain = e.slice(at + 1)
  const dot = domain.indexOf('.')
  return dot > 0 && !domain.endsWith('.')
}

// IsValidIdNumber: 18 characters, GB 11643 check character.
export function isValidIdNumber(id) {
  if (!id || id.length !== 18) return false
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const check = '10X98765432'
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const c = id.charCodeAt(i) - 48
    if (c < 0 || c > 9) return false
    sum += c * weights[i]
  }
  return check[sum % 11] === id[17].toUpperCase()
}

// A 16-digit card number with a Luhn check digit (domain/card.cc).
export function isValidCardNumber(n) {
  if (!/^[0-9]{16}$/.test(n || '')) return false
  let sum = 0
  for (let i = 0; i < 16; i++) {
    let d = n.charCodeAt(15 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

export function isMemberNo(s) {
  return /^M[0-9]{8}$/.test(s || '')
}

export function isHhMm(s) {
  return /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(s || '')
}

export function todayIso() {
  const d = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

// ValidateCalendarDate: a real solar date from 1900 not in the future, or a
// lunar month 1-12 / day 1-30.
export function checkCalendarDate(value, calendar = 'solar', today = todayIso()) {
  if (!value) return null
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value)
  if (!m) return calendar === 'lunar' ? ['v.lunarDate'] : ['v.realDate']
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (calendar === 'lunar') {
    if (mo < 1 || mo > 12 || d < 1 || d > 30 || y < 1900 || y > Number(today.slice(0, 4))) {
      return ['v.lunarDate']
    }
    return null
  }
  const dt = new Date(Date.UTC(y, mo - 1, d))
  if (y < 1900 || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) return ['v.realDate']
  if (value > today) return ['v.notFuture']
  return null
}

export function checkText(value, max, required = false) {
  const n = charCount(value)
  if (required && n === 0) return ['v.required']
  if (n > max) return ['v.maxChars', { n: max }]
  if (/[\x00-\x08\x0b-\x1f]/.test(value || '')) return ['v.control']
  return null
}

export function checkMobile(value, required) {
  if (!value) return required ? ['v.required'] : null
  return isValidMobile(value) ? null : ['v.mobile']
}

export function checkPhone(value) {
  if (!value) return null
  return isValidPhone(value) ? null : ['v.phone']
}

export function checkEmail(value) {
  if (!value) return null
  return isValidEmail(value) ? null : ['v.email']
}

export function checkIdNumber(value) {
  if (!value) return null
  return isValidIdNumber(value) ? null : ['v.idNumber']
}

export function checkList(items, max = LIMITS.shortText) {
  if ((items || []).length > LIMITS.listItems) return ['v.maxItems', { n: LIMITS.listItems }]
  for (const it of items || []) {
    const e = checkText(it, max, true)
    if (e) return e
  }
  return null
}

export function checkTags(tags) {
  return checkList(tags, LIMITS.tag)
}

// CheckPasswordStrength: 8-128 bytes, not digits only.
export function checkPassword(p) {
  const n = byteCount(p)
  if (n < 8) return ['v.passwordMin']
  if (n > 128) return ['v.passwordMax']
  if (/^[0-9]+$/.test(p)) return ['v.passwordDigits']
  return null
}

// CheckCode (org.cc): 1-20 letters, digits, '-', '_' or '.'.
export function checkCode(code) {
  if (!code) return ['v.required']
  if (code.length > 20) return ['v.maxChars', { n: 20 }]
  return /^[A-Za-z0-9._-]+$/.test(code) ? null : ['v.code']
}

// NewUser.username: 3-40 of a-z, 0-9, '.', '_', '-'.
export function checkUsername(u) {
  if (!u || u.length < 3 || u.length > 40) return ['v.usernameLength']
  return /^[a-z0-9._-]+$/.test(u) ? null : ['v.username']
}

// An Element Plus form rule from a check; `t` translates the result.
export function rule(t, check, trigger = 'blur') {
  return {
    trigger,
    validator: (_rule, value, callback) => {
      const e = check(value)
      if (e) callback(new Error(t(e[0], e[1] || {})))
      else callback()
    },
  }
}

// A "required" Element Plus rule whose message follows the current language.
export function requiredRule(t, key = 'v.required', trigger = 'blur') {
  return {
    required: true,
    trigger,
    validator: (_rule, value, callback) => {
      const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0)
      if (empty) callback(new Error(t(key)))
      else callback()
    },
  }
}
