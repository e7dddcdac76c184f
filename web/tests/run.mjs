#!/usr/bin/env node
// Browser tests of the web UI (issue 4). Starts its own vipcare server on
// 127.0.0.1 with a fresh demo database, drives Debian's chromium through
// playwright-core (never downloads a browser), and stops everything at the end.
//
//   node web/tests/run.mjs --vipcare build/vipcare --out build/web-tests
//       [--web-root web/dist] [--doc-shots DIR | none]
//       [--filter TEXT] [--timeout SECONDS] [--chromium /usr/bin/chromium]
//
// Prints one line per test and "N passed, N failed" at the end; exits 1 if a
// test failed. A test may name the API routes it `needs` ([method, path]); if
// the server under test does not have one yet, the test is reported as
// skipped ("ok N - name # SKIP ...") instead of run. A failing test leaves a
// screenshot in --out; the main pages are photographed into --doc-shots
// (default: <out>/screenshots; `make screenshots` points it at
// docs/screenshots for the README).

import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, createWriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1'
const { chromium } = await import('playwright-core')
const { TESTS: UI_TESTS } = await import('./ui.test.mjs')
const { LOYALTY_TESTS } = await import('./loyalty.test.mjs')
const { CARE_TESTS } = await import('./care.test.mjs')
const { CARE_ADMIN_TESTS } = await import('./care_admin.test.mjs')
const { CARE_REPORT_TESTS } = await import('./care_report.test.mjs')
const { LEAVES_TESTS } = await import('./leaves.test.mjs')
const { STORED_GOODS_TESTS } = await import('./stored_goods.test.mjs')
const { REPORTS_TESTS } = await import('./reports.test.mjs')
const TESTS = [...UI_TESTS, ...LOYALTY_TESTS, ...CARE_TESTS, ...CARE_ADMIN_TESTS, ...CARE_REPORT_TESTS, ...LEAVES_TESTS, ...STORED_GOODS_TESTS, ...REPORTS_TESTS]

const here = dirname(fileURLToPath(import.meta.url))
const webDir = resolve(here, '..')

const { values: opts } = parseArgs({
  options: {
    vipcare: { type: 'string' },
    out: { type: 'string', default: join(tmpdir(), 'vipcare-web-tests') },
    'web-root': { type: 'string', default: join(webDir, 'dist') },
    'doc-shots': { type: 'string', default: '' },
    filter: { type: 'string', default: '' },
    timeout: { type: 'string', default: '200' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH || '/usr/bin/chromium' },
    members: { type: 'string', default: '2000' },
  },
})

let tmp = null
let server = null
let browser = null

function die(msg) {
  console.error(`web tests: ${msg}`)
  console.log('0 passed, 1 failed')
  if (server && server.exitCode === null) server.kill('SIGKILL')
  if (tmp) rmSync(tmp, { recursive: true, force: true })
  process.exit(1)
}

if (!opts.vipcare) die('--vipcare PATH is required')
const vipcare = resolve(opts.vipcare)
const webRoot = resolve(opts['web-root'])
const outDir = resolve(opts.out)
const docShots = opts['doc-shots'] === 'none' ? null
  : resolve(opts['doc-shots'] || join(outDir, 'screenshots'))
if (!existsSync(vipcare)) die(`no vipcare binary at ${vipcare}`)
if (!existsSync(join(webRoot, 'index.html'))) die(`no UI build at ${webRoot} (run npm ci && npm run build in web/)`)
if (!existsSync(opts.chromium)) die(`no chromium at ${opts.chromium} (apt-get install chromium)`)
mkdirSync(outDir, { recursive: true })
if (docShots) mkdirSync(docShots, { recursive: true })

const started = Date.now()
tmp = mkdtempSync(join(tmpdir(), 'vipcare-ui-'))
const db = join(tmp, 'ui.db')
let finished = false
let passed = 0
let failed = 0
let skipped = 0
let aborted = false

async function cleanup() {
  if (browser) await browser.close().catch(() => {})
  browser = null
  if (server && server.exitCode === null) {
    server.kill('SIGTERM')
    const exited = await Promise.race([
      new Promise((r) => server.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 3000)),
    ])
    if (!exited) server.kill('SIGKILL')
  }
  server = null
  if (tmp) rmSync(tmp, { recursive: true, force: true })
  tmp = null
}

// The whole run is bounded: past --timeout it stops, cleans up and fails.
const overall = setTimeout(async () => {
  if (finished) return
  aborted = true
  console.log(`not ok - overall timeout of ${opts.timeout}s reached; stopping`)
  console.log(`${passed} passed, ${failed + 1} failed`)
  await cleanup()
  process.exit(1)
}, Number(opts.timeout) * 1000)
overall.unref()

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await cleanup()
    process.exit(1)
  })
}

function run(args) {
  const r = spawnSync(vipcare, ['--db', db, ...args], { encoding: 'utf8', timeout: 60000 })
  if (r.status !== 0) die(`vipcare ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`)
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
  })
}

async function waitHealthy(base) {
  const deadline = Date.now() + 20000
  while (Date.now() < deadline) {
    if (server.exitCode !== null) die(`the server exited (${server.exitCode}); see ${join(outDir, 'server.log')}`)
    try {
      const r = await fetch(`${base}/healthz`)
      if (r.ok) return
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  die('the server did not answer /healthz within 20 s')
}

// ---- set up: database, server, browser ----
run(['init'])
run(['demo', '--members', opts.members, '--seed', '20261123'])
const port = await freePort()
const base = `http://127.0.0.1:${port}`
const log = createWriteStream(join(outDir, 'server.log'))
server = spawn(vipcare, ['--db', db, 'serve', '--host', '127.0.0.1', '--port', String(port), '--threads', '4', '--web-root', webRoot], {
  stdio: ['ignore', 'pipe', 'pipe'],
})
server.stdout.pipe(log)
server.stderr.pipe(log)
await waitHealthy(base)

try {
  browser = await chromium.launch({
    executablePath: opts.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    timeout: 30000,
  })
} catch (e) {
  die(`cannot start chromium: ${e.message}`)
}
const setupSeconds = ((Date.now() - started) / 1000).toFixed(1)

// ---- helpers handed to every test ----
const tokens = new Map()
async function apiAs(username, method, path, body) {
  if (!tokens.has(username)) {
    const r = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      body: JSON.stringify({ username, password: 'vipcare-demo' }),
    })
    if (!r.ok) throw new Error(`API login of ${username} failed: ${r.status}`)
    tokens.set(username, (await r.json()).token)
  }
  const r = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${tokens.get(username)}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const data = await r.json().catch(() => null)
  if (!r.ok) throw new Error(`${method} ${path} as ${username}: ${r.status} ${JSON.stringify(data)}`)
  return data
}

const contexts = []
async function newPage({ width = 1366, height = 768, locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale, timezoneId: 'Asia/Shanghai' })
  contexts.push(context)
  // No network but this server.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url())
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.host === `127.0.0.1:${port}`) return route.continue()
    return route.abort('blockedbyclient')
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10000)
  page.on('pageerror', (e) => page.__errors.push(String(e)))
  // Errors the app logs; a refused request (401/403/404) is logged by the
  // browser as "Failed to load resource" and is part of several tests.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.__errors.push(m.text())
  })
  page.__errors = []
  return page
}

async function login(page, username, password = 'vipcare-demo') {
  await page.goto(`${base}/#/login`)
  await page.locator('input[name=username]').fill(username)
  await page.locator('input[name=password]').fill(password)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => !u.hash.startsWith('#/login'))
}

async function docShot(page, name) {
  if (!docShots) return
  await page.waitForTimeout(300) // let tags and charts finish their entry transitions
  await page.screenshot({ path: join(docShots, `${name}.png`) })
}

// Signs out through the user menu (the session cookie goes with it).
async function logout(page) {
  await page.locator('[data-test=user-menu]').click()
  await page.locator('[data-test=logout]').click()
  await page.waitForURL(/#\/login/)
}

const h = { base, apiAs, newPage, login, logout, docShot, outDir }

// The routes of `needs` the server does not know. Asked without a session,
// so no handler runs: the router answers 404 "no such resource" (or 405) for
// a route it lacks, 401 for one it has.
async function missingRoutes(needs = []) {
  const missing = []
  for (const [method, path] of needs) {
    const r = await fetch(`${base}/api/v1${path}`, { method, body: method === 'GET' ? undefined : '{}' })
    const data = await r.json().catch(() => null)
    const msg = (data && data.error && data.error.message) || ''
    if (r.status === 405 || (r.status === 404 && msg === 'no such resource')) missing.push(`${method} ${path}`)
  }
  return missing
}

// ---- run the tests one after another ----
const selected = TESTS.filter((t) => !opts.filter || t.name.includes(opts.filter))
console.log(`web tests: server ${base}, set-up ${setupSeconds}s, ${selected.length} tests`)
for (const [i, test] of selected.entries()) {
  const t0 = Date.now()
  let error = null
  const missing = await missingRoutes(test.needs)
  if (missing.length) {
    skipped++
    console.log(`ok ${i + 1} - ${test.name} # SKIP the server lacks ${missing.join(', ')}`)
    continue
  }
  try {
    await Promise.race([
      test.fn(h),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`test timed out after ${test.timeout || 30}s`)), (test.timeout || 30) * 1000)),
    ])
    const pageErrors = contexts.flatMap((c) => c.pages().flatMap((p) => p.__errors || []))
    if (pageErrors.length) throw new Error(`uncaught errors in the page: ${pageErrors.join('; ')}`)
  } catch (e) {
    error = e
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1)
  if (aborted) break
  if (error) {
    failed++
    const slug = test.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')
    for (const [j, p] of contexts.flatMap((c) => c.pages()).entries()) {
      await p.screenshot({ path: join(outDir, `failure-${slug}-${j}.png`), fullPage: true }).catch(() => {})
    }
    console.log(`not ok ${i + 1} - ${test.name} (${secs}s)`)
    console.log(`  ${String(error.stack || error).split('\n').slice(0, 6).join('\n  ')}`)
  } else {
    passed++
    console.log(`ok ${i + 1} - ${test.name} (${secs}s)`)
  }
  for (const c of contexts.splice(0)) await c.close().catch(() => {})
}

// On the overall timeout its handler reports, cleans up and exits 1.
if (aborted) await new Promise(() => {})
finished = true
await cleanup()
console.log(`web tests: ${((Date.now() - started) / 1000).toFixed(1)}s in all; screenshots of failures in ${outDir}`)
if (skipped) console.log(`${skipped} skipped (routes the server does not have yet)`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
