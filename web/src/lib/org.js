// Stores, regions and staff, cached for the page's lifetime so lists can
// show names instead of ids. Settings pages call invalidateOrg() after a change.
import { reactive } from 'vue'
import { api } from './api.js'

const MAX_PAGE = 200
let cache = {}

export const orgNames = reactive({ stores: {}, regions: {}, staff: {} })

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

export function invalidateOrg() {
  cache = {}
}
