// Turns an ApiError into a message in the user's language. The server speaks
// English ({code, message, field}); known messages get a Chinese text, the
// rest fall back to a text per error code with the server's words attached.
import { ApiError } from './api.js'
import { i18n } from '../i18n/index.js'

// Server message (start) → i18n key. Keep in step with the Error::... texts
// in src/domain and src/service.
const KNOWN = [
  [/^is required, at most (\d+) characters/, 'err.requiredMaxChars'],
  [/^is required/, 'err.required'],
  [/^must be an 11-digit mainland mobile number/, 'v.mobile'],
  [/^must be a phone number/, 'v.phone'],
  [/^must be an e-mail address/, 'v.email'],
  [/^must be an 18-character resident ID number/, 'v.idNumber'],
  [/^must be a real date/, 'v.realDate'],
  [/^must not be in the future/, 'v.notFuture'],
  [/^must be a lunar date/, 'v.lunarDate'],
  [/^a solar date has no leap month/, 'err.solarLeap'],
  [/^must be a time HH:MM/, 'v.hhmm'],
  [/^do-not-disturb needs both/, 'err.dndBoth'],
  [/^must be at most (\d+) characters/, 'v.maxChars'],
  [/^must have at most (\d+) items/, 'v.maxItems'],
  [/^must not contain control characters/, 'v.control'],
  [/^must be at least 8 characters/, 'v.passwordMin'],
  [/^must not be digits only/, 'v.passwordDigits'],
  [/^is not the current password/, 'err.oldPassword'],
  [/^that mobile number is already registered/, 'err.mobileTaken'],
  [/^the member was changed by someone else/, 'err.staleVersion'],
  [/^a merged or erased member file cannot be changed/, 'err.memberNotLive'],
  [/^this member is outside your scope/, 'err.outOfScope'],
  [/^only a store manager may reassign a member/, 'err.reassign'],
  [/^your role may not do this/, 'err.roleForbidden'],
  [/^change your temporary password first/, 'err.mustChange'],
  [/^a request signed in by cookie must send the X-CSRF-Token header/, 'err.csrf'],
  [/^no store has that id/, 'err.noStore'],
  [/^no active staff member has that id/, 'err.noAssociate'],
  [/^the associate does not work at the member's store/, 'err.associateStore'],
  [/^a member cannot refer themselves/, 'err.selfReferrer'],
  [/^that username is taken/, 'err.usernameTaken'],
  [/^wrong username or password/, 'err.badLogin'],
  [/^must be after starts_at/, 'grants.endAfterStart'],
  [/^a grant lasts at most (\d+) days/, 'grants.maxDays'],
  [/^is already past/, 'grants.endPast'],
  [/^grants are for call-centre accounts/, 'err.notCallCenter'],
  [/^no active account has that id/, 'err.noAccount'],
  [/^no live member has that id/, 'err.memberNotFound'],
  [/^member \d+ is outside your scope/, 'err.outOfScope'],
  [/^is required, at most (\d+) bytes/, 'err.requiredMax'],
  [/^not signed in, or the session has expired/, 'err.unauthenticated'],
  [/^another record already uses that/, 'err.codeTaken'],
  [/^the member already has an active card/, 'err.activeCard'],
  [/^the member already has another active card/, 'err.activeCard'],
  [/^a closed, merged or erased member gets no card/, 'err.noCardForClosed'],
  [/^no member has that id/, 'err.memberNotFound'],
  [/^no card has that number/, 'err.cardNotFound'],
  [/^must be 1-(\d+) bytes/, 'err.requiredMax'],
  [/^a merged or erased member file cannot change/, 'err.memberNotLive'],
  [/^an? \w+ member cannot become/, 'err.badMove'],
  [/^a member cannot be merged into itself/, 'err.mergeSelf'],
  [/^the member file is already erased/, 'err.alreadyErased'],
  [/^only the member's associate, their store manager or an admin may hand out a data copy/, 'consents.copyForbidden'],
  [/^this computer is not registered for your store/, 'err.deviceRefused'],
  [/^another store's devices/, 'err.otherStoreDevices'],
  [/^only an admin or the store's manager may keep its device list/, 'err.otherStoreDevices'],
  [/^must be an IPv4 or IPv6 address/, 'devices.badAddress'],
  [/^a device id must be 8-64 characters/, 'devices.badDevice'],
  [/^no device entry has that id/, 'err.notFound'],
  [/^this change would lock you out: the computer you work from \(address ([^ )]+)/, 'devices.lockOut'],
  [/^this change would lock you out/, 'devices.lockOutAny'],
  [/^only an admin may list users/, 'err.roleForbidden'],
  [/^only call-centre accounts \(the grantees\) may be listed/, 'err.roleForbidden'],
  // loyalty (src/service/loyalty.cc, src/domain/program.cc)
  [/^must be an integer from (-?\d+) to (-?\d+)/, 'err.intRange'],
  [/^you may post sales only for your own store/, 'err.ownStore'],
  [/^no active card has that number/, 'err.cardNotActive'],
  [/^the member's file is closed, merged or erased/, 'err.memberClosed'],
  [/^this external_id was posted before with different content/, 'err.duplicateSale'],
  [/^no tier is waiting for approval/, 'err.nothingQueued'],
  [/^the member's (points|tier) changed at the same time/, 'err.pointsChanged'],
  [/^is not a (known )?field/, 'err.notField'],
  [/^must be one of (.+)$/, 'err.mustBeOneOf'],
  [/^must not be empty/, 'err.notEmpty'],
  [/^is used by another tier/, 'err.usedByOtherTier'],
  [/^must be a program's id/, 'err.unknownProgram'],
  [/^no program has that (id|code)/, 'err.unknownProgram'],
]

const BY_CODE = {
  network: 'err.network',
  invalid_argument: 'err.invalid',
  unauthenticated: 'err.unauthenticated',
  forbidden: 'err.forbidden',
  not_found: 'err.notFound',
  conflict: 'err.conflict',
  unprocessable: 'err.unprocessable',
  method_not_allowed: 'err.internal',
  payload_too_large: 'err.tooLarge',
  too_many_requests: 'err.tooMany',
  internal: 'err.internal',
}

// Element Plus prop path of a server field: `family[1].birthday` → `family.1.birthday`.
export function fieldToProp(field) {
  return field ? field.replace(/\[(\d+)\]/g, '.$1') : null
}

// The message for `e` (an ApiError or anything thrown) in the current locale.
export function errorText(t, e) {
  if (!(e instanceof ApiError)) return t('err.internal')
  if (e.code === 'too_many_requests') return t('err.tooMany', { s: e.retryAfter || 60 })
  for (const [re, key] of KNOWN) {
    const m = re.exec(e.message || '')
    if (m) return t(key, { n: m[1], m: m[2] })
  }
  // Some use cases already word their refusals in Chinese for shop staff
  // (src/service/redemption.cc): shown as they are.
  if (/[\u4e00-\u9fff]/.test(e.message || '') && i18n.global.locale.value === 'zh-CN') return e.message
  const base = t(BY_CODE[e.code] || 'err.internal')
  return e.message && e.code !== 'network' ? `${base}（${e.message}）` : base
}
