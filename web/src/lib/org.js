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

// Account names for the few lists whose rows carry only an account id (the
// destruction records, the accounts an audit row is about). Only an admin may
// list accounts; anyone else knows just their own name. Rows that carry a
// username (history, consents, audit, grants) show it directly.
export function loadAccounts(user) {
  if (!user) return Promise.resolve([])
  orgNames.accounts[user.user_id] = user.username
  if (user.role !== 'admin') return Promise.resolve([])
  return memo('accounts', async () => {
    const items = await all('/users')
    for (const u of items) orgNames.accounts[u.id] = u.username
    return items
  })
}

// How a row names an account: its username if the row has one, else
// "account #id", or "system" for none (`t` is the i18n function).
export function accountLabel(t, id, username = '') {
  if (username) return username
  if (id === null || id === undefined) return t('common.system')
  return t('common.account', { id })
}

// After an account was added or changed.
export function invalidateAccounts() {
  delete cache.accounts
}

export function invalidateOrg() {
  cache = {}
  orgNames.accounts = {}
}
