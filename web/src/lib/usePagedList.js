// A server-paged list: the rows of one page, the total, the page and page
// size, and the loading and error state. `fetchPage({ limit, offset })` asks
// the API for one page and answers `{ items, total }`. The list reloads when
// the page or the page size changes; the caller loads it the first time.
import { ref, watch } from 'vue'
import { errorText } from './errors.js'

export function usePagedList(t, fetchPage, { pageSize = 20, page = 1 } = {}) {
  const rows = ref([])
  const total = ref(0)
  const pageRef = ref(page)
  const size = ref(pageSize)
  const loading = ref(false)
  const error = ref('')

  async function load() {
    loading.value = true
    error.value = ''
    try {
      const res = await fetchPage({ limit: size.value, offset: (pageRef.value - 1) * size.value })
      rows.value = res.items
      total.value = res.total
    } catch (e) {
      error.value = errorText(t, e)
    } finally {
      loading.value = false
    }
  }

  // Back to the first page (the watcher loads it), or load this one again.
  function reloadFirst() {
    if (pageRef.value !== 1) pageRef.value = 1
    else load()
  }

  watch([pageRef, size], load)
  return { rows, total, page: pageRef, pageSize: size, loading, error, load, reloadFirst }
}
