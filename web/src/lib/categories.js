// The company's category catalogue (商品类别, GET /categories), read once per
// page load and shared by every line and rule that names a category: the
// till's lines, the program editor's category multipliers and campaigns.
// `reloadCategories()` after the catalogue changes (CategoryCatalogue.vue).
import { ref } from 'vue'
import { api } from './api.js'

const state = {
  // { checked, names: active names in catalogue order, all: every entry }
  catalogue: ref({ checked: false, names: [], all: [] }),
  loading: null,
}

async function fetchCatalogue() {
  const res = await api.get('/categories', { include_inactive: true })
  const all = res.items || []
  state.catalogue.value = {
    checked: !!res.checked,
    names: all.filter((c) => c.active).map((c) => c.name),
    all,
  }
  return state.catalogue.value
}

export function reloadCategories() {
  state.loading = fetchCatalogue().catch(() => {
    state.loading = null
    return state.catalogue.value
  })
  return state.loading
}

// The catalogue as a ref; the first call of a page load fetches it.
export function useCategories() {
  if (!state.loading) reloadCategories()
  return state.catalogue
}
