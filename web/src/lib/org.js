// Stores, regions, staff and accounts, cached for the page's lifetime so lists
// can show names instead of ids. Settings pages call invalidateOrg() after a
// change; signing out calls it too.
import { reactive } from 'vue'
import { api } from './api.js'

const MAX_PAGE = 200
let cache = {}

export const orgNames = reactive({ stores: {}, regions: {}, staff: {}, accounts: {} })

async function all(path, query = {}) {
  const items = []
  let total = Infinity
  while (items.length < total) {
    const page = await api.get(path, { ...query, limit: MAX_PAGE, offset: items.length })
    total = page.total
    items.push(...page.items)
    if (!page.items.length) break
  }
  return items
}

function memo(key, load) {
  if (!cache[key]) {
    cache[key] = load().catch((e) => {
      delete cache[key]
      throw e
    })
  }
  return cache[key]
}

export function loadStores() {
  return memo('stores', async () => {
    const items = await all('/stores')
    for (const s of items) orgNames.stores[s.id] = s.name
    return items
  })
}

export function loadRegions() {
  return memo('regions', async () => {
    const page = await api.get('/regions')
    for (const r of page.items) orgNames.regions[r.id] = r.name
    return page.items
  })
}

// Every staff member (the demo chain has tens; a chain has hundreds at most).
export function loadStaff() {
  return memo('staff', async () => {
    const items = await all('/staff')
    for (const s of items) orgNames.staff[s.id] = s.name
    return items
  })
}

// The account names `user` may know: an admin every account, a giver of
// grants the call-centre accounts (GET /users answers only those), anyone
// their own. Accounts are shown by name wherever the API gives an id.
export function loadAccounts(user) {
  if (!user) return Promise.resolve([])
  orgNames.accounts[user.user_id] = user.username
  return memo('accounts', async () => {
    let items = []
    if (user.role === 'admin') items = await all('/users')
    else if (['store_manager', 'regional_supervisor'].includes(user.role)) items = await all('/users', { role: 'call_center' })
    for (const u of items) orgNames.accounts[u.id] = u.username
    return items
  })
}

// An account's name if known, else "account #id" (`t` is the i18n function).
export function accountLabel(t, id) {
  if (id === null || id === undefined) return t('common.system')
  return orgNames.accounts[id] || t('common.account', { id })
}

// After an account was added or changed.
export function invalidateAccounts() {
  delete cache.accounts
}

export function invalidateOrg() {
  cache = {}
  orgNames.accounts = {}
}
