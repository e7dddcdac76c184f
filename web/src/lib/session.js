// Who is signed in. Only the CSRF token and a "must change password" flag
// live in sessionStorage; no personal data is kept in the browser (SPEC P9).
import { reactive } from 'vue'
import { api, setCsrfToken, onApiEvent } from './api.js'
import { invalidateOrg } from './org.js'

const MUST_CHANGE_KEY = 'vipcare.mustChangePassword'

export const session = reactive({
  user: null, // the Actor of GET /auth/me
  checked: false, // whether /auth/me has been asked since the page loaded
  mustChangePassword: sessionStorage.getItem(MUST_CHANGE_KEY) === '1',
  expiredNotice: false, // set when a request found the session gone
})

function setMustChange(v) {
  session.mustChangePassword = v
  if (v) sessionStorage.setItem(MUST_CHANGE_KEY, '1')
  else sessionStorage.removeItem(MUST_CHANGE_KEY)
}

function clear() {
  invalidateOrg()
  session.user = null
  setCsrfToken(null)
  setMustChange(false)
}

onApiEvent('unauthenticated', () => {
  if (session.user) session.expiredNotice = true
  clear()
  session.checked = true
})
onApiEvent('mustChangePassword', () => setMustChange(true))

// Asks the server who the cookie belongs to; null if nobody.
export async function loadSession() {
  try {
    session.user = await api.get('/auth/me')
  } catch (e) {
    if (e.status !== 401) throw e
    session.user = null
  } finally {
    session.checked = true
  }
  return session.user
}

export async function login(username, password) {
  const res = await api.post('/auth/login', { username, password })
  setCsrfToken(res.csrf_token)
  setMustChange(Boolean(res.must_change_password))
  session.user = res.user
  session.checked = true
  session.expiredNotice = false
  return res
}

export async function logout() {
  try {
    await api.post('/auth/logout')
  } catch {
    // Signing out of a session that already ended is fine.
  }
  clear()
}

export async function changePassword(oldPassword, newPassword) {
  await api.post('/auth/password', { old_password: oldPassword, new_password: newPassword })
  setMustChange(false)
}
