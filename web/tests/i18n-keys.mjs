#!/usr/bin/env node
// Checks the UI texts: zh-CN and en have the same keys, and every literal key
// the sources use (t('a.b'), titleKey: 'a.b', pendingKey: 'a.b') exists.
// Prints "N passed, N failed" like the browser tests; exits 1 on a problem.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
const zh = (await import(join(src, 'i18n', 'zh-CN.js'))).default
const en = (await import(join(src, 'i18n', 'en.js'))).default

function keys(o, prefix = '') {
  return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}
function files(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? files(p) : /\.(vue|js)$/.test(f) ? [p] : []
  })
}

const problems = []
const zhKeys = new Set(keys(zh))
const enKeys = new Set(keys(en))
for (const k of zhKeys) if (!enKeys.has(k)) problems.push(`en lacks ${k}`)
for (const k of enKeys) if (!zhKeys.has(k)) problems.push(`zh-CN lacks ${k}`)

// t('a.b'), titleKey: 'a.b', requiredRule(t, 'a.b'), and the keys that the
// checks and the error mapper return ('v.…', 'err.…').
const used = /\b(?:t|te)\(\s*'([A-Za-z0-9_.]+)'|\b(?:titleKey|pendingKey):\s*'([A-Za-z0-9_.]+)'|requiredRule\(t,\s*'([A-Za-z0-9_.]+)'|'((?:v|err)\.[A-Za-z]+)'/g
let count = 0
for (const f of files(src)) {
  if (f.includes(`${join('src', 'i18n')}`)) continue
  const text = readFileSync(f, 'utf8')
  for (const m of text.matchAll(used)) {
    const key = m[1] || m[2] || m[3] || m[4]
    count++
    if (!zhKeys.has(key)) problems.push(`${relative(src, f)} uses missing key ${key}`)
  }
}

for (const p of problems) console.log(`not ok - ${p}`)
console.log(`i18n: ${zhKeys.size} keys per language, ${count} literal uses checked`)
console.log(`${problems.length ? 0 : 1} passed, ${problems.length ? 1 : 0} failed`)
process.exit(problems.length ? 1 : 0)
