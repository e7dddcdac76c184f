// The one door to the JSON API (/api/v1). The browser signs in with the
// HttpOnly `vipcare_session` cookie; every write must also echo the CSRF token
// of the login answer in the X-CSRF-Token header (src/http/server.cc).
// Errors come back as ApiError, carrying the server's {code, message, field}.

const CSRF_KEY = 'vipcare.csrf'

export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
  }
}

const listeners = { unauthenticated: [], mustChangePassword: [] }

// Lets the session react to a lapsed session (401) or to the server asking
// for a password change first (403 on any other route).
export function onApiEvent(kind, fn) {
  listeners[kind].push(fn)
}

function emit(kind, payload) {
  for (const fn of listeners[kind]) fn(payload)
}

export function setCsrfToken(token) {
  if (token) sessionStorage.setItem(CSRF_KEY, token)
  else sessionStorage.removeItem(CSRF_KEY)
}

function csrfToken() {
  const stored = sessionStorage.getItem(CSRF_KEY)
  if (stored) return stored
  // A new tab of a signed-in browser has no sessionStorage yet; the server
  // also sets the token as a readable cookie (double-submit pattern).
  const m = document.cookie.match(/(?:^|;\s*)vipcare_csrf=([^;]+)/)
  return m ? decodeURIComponent(m[1]) : ''
}

function queryString(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.append(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

export async function request(method, path, { query, body, signal } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET') {
    const token = csrfToken()
    if (token) headers['X-CSRF-Token'] = token
  }
  let res
  try {
    res = await fetch(`/api/v1${path}${queryString(query)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    })
  } catch (e) {
    if (e && e.name === 'AbortError') throw e
    throw new ApiError(0, 'network', 'network error')
  }
  let data = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (res.ok) return data
  throw failure(res, path, data)
}

// The ApiError of a refused answer (its JSON body already parsed), after
// telling the session about a lapsed sign-in or a pending password change.
function failure(res, path, data) {
  const err = (data && data.error) || {}
  const error = new ApiError(res.status, err.code || 'internal', err.message || res.statusText, err.field ?? null)
  if (res.status === 429) error.retryAfter = Number(res.headers.get('Retry-After')) || 0
  if (res.status === 401 && path !== '/auth/login') emit('unauthenticated', error)
  if (res.status === 403 && /temporary password/.test(error.message)) emit('mustChangePassword', error)
  return error
}

// A file answer (e.g. the CSV of GET /exports/members): the bytes as a Blob,
// the file name of its Content-Disposition and the response headers. Errors
// come back as JSON like any other request's and are thrown as ApiError.
export async function download(path, query) {
  let res
  try {
    res = await fetch(`/api/v1${path}${queryString(query)}`, {
      method: 'GET',
      headers: { Accept: '*/*' },
      credentials: 'same-origin',
      cache: 'no-store',
    })
  } catch {
    throw new ApiError(0, 'network', 'network error')
  }
  if (!res.ok) {
    let data = null
    try {
      data = JSON.parse(await res.text())
    } catch {
      data = null
    }
    throw failure(res, path, data)
  }
  const blob = await res.blob()
  const m = /filename="?([^";]+)"?/.exec(res.headers.get('Content-Disposition') || '')
  return { blob, filename: m ? m[1] : '', headers: res.headers }
}

// Hands `blob` to the browser as a downloaded file named `filename`.
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 30000)
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
  post: (path, body = {}) => request('POST', path, { body }),
  patch: (path, body) => request('PATCH', path, { body }),
  put: (path, body) => request('PUT', path, { body }),
}

// The `total` of a list answer for a filter, asking for one row only.
export async function countOf(path, query) {
  const page = await api.get(path, { ...query, limit: 1, offset: 0 })
  return page.total
}
