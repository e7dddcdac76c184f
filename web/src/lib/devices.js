// Client checks of a device allow-list entry, mirroring ValidateDeviceEntry
// in src/domain/org.cc; the server checks again and its answer wins.

// "a.b.c.d": four numbers 0-255 of at most three digits.
function isIpv4(s) {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255)
}

// An IPv4 address, or a block like 10.1.2.0/24.
export function isIpv4Block(s) {
  const [ip, bits, extra] = (s || '').split('/')
  if (extra !== undefined || !isIpv4(ip)) return false
  return bits === undefined || (/^[0-9]{1,2}$/.test(bits) && Number(bits) <= 32)
}

// The server's IPv6 test: 2-45 characters of hex digits, ':' and '.', with a ':'.
export function isIpv6(s) {
  return !!s && s.length >= 2 && s.length <= 45 && s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s)
}

// A device id sent in X-Device-Id: 8-64 of A-Z a-z 0-9 . _ -.
export function isDeviceId(s) {
  return /^[A-Za-z0-9._-]{8,64}$/.test(s || '')
}

// null when `value` is a good entry of `kind`, else [i18nKey].
export function checkDeviceValue(kind, value) {
  if (!value) return ['v.required']
  if (kind === 'address') return isIpv4Block(value) || isIpv6(value) ? null : ['devices.badAddress']
  return isDeviceId(value) ? null : ['devices.badDevice']
}
