// The report catalogue (GET /api/v1/reports) and the words around it. The
// server names reports and columns in Chinese; English comes from the i18n
// files where a text is known, else the server's words are shown as they are.
import { api } from '../lib/api.js'
import { i18n } from '../i18n/index.js'

let catalog = null

function loadAll() {
  if (!catalog) {
    catalog = api.get('/reports').catch((e) => {
      catalog = null
      throw e
    })
  }
  return catalog
}

// [{name, title, spec, description, filters: [...]}] in SPEC order, loaded
// once per page load (a failed load is tried again next time).
export function loadCatalog() {
  return loadAll().then((r) => r.items || [])
}

// [{code, name}]: what the tier filter takes — the company's tiers, then
// those of the other programs members are on, keyed "program:code" and named
// "<program>·<tier>" (programs may name their tiers alike).
export function loadReportTiers() {
  return loadAll().then((r) => r.tiers || [])
}

export function forgetCatalog() {
  catalog = null
}

const zh = () => i18n.global.locale.value === 'zh-CN'

// A text of the i18n files when the UI is not in Chinese and it knows one,
// else the server's (Chinese) text.
function translated(t, te, key, serverText) {
  if (!zh() && te(key)) return t(key)
  return serverText || (te(key) ? t(key) : '')
}

export function reportTitle(t, te, report) {
  return translated(t, te, `reports.names.${report.name}.title`, report.title)
}

export function reportDescription(t, te, report) {
  return translated(t, te, `reports.names.${report.name}.desc`, report.description)
}

export function columnTitle(t, te, column) {
  return translated(t, te, `reports.col.${column.key}`, column.title)
}

// A field of a section (no server title): the i18n text, else the key.
export function fieldTitle(t, te, key) {
  return te(`reports.col.${key}`) ? t(`reports.col.${key}`) : key
}

export function sectionTitle(t, te, key) {
  return te(`reports.section.${key}`) ? t(`reports.section.${key}`) : key
}

// The label of a filter (the field a refusal names: from, to, store_id, tier, limit…).
export function filterLabel(t, te, field) {
  return te(`reports.filter.${field}`) ? t(`reports.filter.${field}`) : field
}

// The choices of a report's own filter, where it has a fixed list.
export const FILTER_CHOICES = {
  by: ['category', 'brand', 'price_band'],
}
