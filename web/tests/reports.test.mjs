// Browser tests of 报表分析 (SPEC §6, R1-R9): the report list
// (web/src/views/ReportsView.vue), one report's page with its filters, table,
// totals, charts and exports (web/src/reports/ReportPage.vue), the dashboard
// figures fed from the reports, and who sees them. Run by run.mjs against the
// demo chain; each test compares the page with what the API answers the same
// account, so the figures hold whatever the demo's sales are.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

const LIST = [['GET', '/reports']]
const REPORT = [['GET', '/reports/member_sales']]
const EXPORT = [['GET', '/reports/member_sales/export']]

// The company's month (Asia/Shanghai), as the page counts "the last n months".
function monthOf(date) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}
function shift(month, n) {
  const [y, m] = month.split('-').map(Number)
  const i = y * 12 + (m - 1) + n
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`
}
// ¥1,234,567.89 as the table shows fen.
function fenText(fen) {
  const abs = Math.abs(fen)
  const yuan = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return `${fen < 0 ? '-' : ''}¥${yuan}.${String(abs % 100).padStart(2, '0')}`
}
function bpText(bp) {
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`
}

async function openReports(h, page, user) {
  await h.login(page, user)
  await page.locator('[data-menu=reports]').click()
  await page.waitForURL(/#\/reports$/)
  await page.locator('[data-test=report-list] [data-report]').first().waitFor()
}

async function tableRows(page) {
  return page.locator('[data-test=report-table] .el-table__body-wrapper tr.el-table__row')
}

// The body rows of the report table once they match `n` (the page may still
// show the previous answer for a moment).
async function waitRows(page, n) {
  await page.waitForFunction(
    (want) => document.querySelectorAll('[data-test=report-table] .el-table__body-wrapper tr.el-table__row').length === want,
    n,
  )
}

// Clicks `button` and returns the downloaded file's name and bytes.
async function downloadBytes(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) }
}

// Picks `text` in the open Element Plus select drop-down.
async function pickOption(page, text) {
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

export const REPORTS_TESTS = [
  {
    name: 'reports: R2 an analyst opens the report list and member_sales — table, totals, chart; changing the period reloads it',
    needs: [...LIST, ...REPORT],
    timeout: 40,
    async fn(h) {
      const catalogue = await h.apiAs('hq', 'GET', '/reports')
      const page = await h.newPage({ height: 1000 }) // tall enough for the table under the charts in the screenshot
      await openReports(h, page, 'hq')
      for (const r of catalogue.items) await page.locator(`[data-test=report-list] [data-report=${r.name}]`).waitFor()
      const card = page.locator('[data-report=member_sales]')
      assert.ok((await card.innerText()).includes('会员销售贡献'), 'the card names the report')
      await card.click()
      await page.waitForURL(/#\/reports\/member_sales/)

      // Default period: the last 12 months, as the API answers without filters.
      const api = await h.apiAs('hq', 'GET', '/reports/member_sales')
      assert.ok(api.rows.length > 0, 'the demo chain has sales')
      await waitRows(page, api.rows.length)
      const header = await page.locator('[data-test=report-table] .el-table__header-wrapper th').allInnerTexts()
      assert.deepEqual(header.map((s) => s.trim()), api.columns.map((c) => c.title))
      const footer = await page.locator('[data-test=report-table] .el-table__footer-wrapper').innerText()
      assert.ok(footer.includes('合计'), footer)
      assert.ok(footer.includes(fenText(api.totals.member_sales_fen)), `${footer} shows ${fenText(api.totals.member_sales_fen)}`)
      assert.ok(footer.includes(bpText(api.totals.member_share_bp)), `${footer} shows ${bpText(api.totals.member_share_bp)}`)
      const first = await (await tableRows(page)).first().innerText()
      assert.ok(first.includes(api.rows[0].store_name) && first.includes(fenText(api.rows[0].sales_fen)), first)
      await page.locator('[data-chart=salesTrend] canvas').waitFor()
      await page.locator('[data-chart=salesByStore] canvas').waitFor()
      assert.equal(await page.locator('[data-field=from] input').inputValue(), api.from)
      assert.equal(await page.locator('[data-field=to] input').inputValue(), api.to)
      // HQ chooses among all stores; an analyst may export.
      await page.locator('[data-test=report-store]').waitFor()
      await page.locator('[data-test=export-xlsx]').waitFor()
      await page.waitForTimeout(600) // let the charts' entry animation finish
      await h.docShot(page, 'reports')

      // Typing a first month narrows the period: the address and the rows follow.
      const from = shift(api.to, -2)
      const input = page.locator('[data-field=from] input')
      await input.fill(from)
      await input.press('Enter')
      await page.waitForURL((u) => u.hash.includes(`from=${from}`))
      const three = await h.apiAs('hq', 'GET', `/reports/member_sales?from=${from}&to=${api.to}`)
      await waitRows(page, three.rows.length)
      assert.ok(three.rows.length < api.rows.length)
      await page.locator('[data-test=report-scope]').filter({ hasText: `${from} 至 ${api.to}` }).waitFor()
      const footer3 = await page.locator('[data-test=report-table] .el-table__footer-wrapper').innerText()
      assert.ok(footer3.includes(fenText(three.totals.sales_fen)), footer3)

      // One store of the list: only its rows.
      const stores = await h.apiAs('hq', 'GET', '/stores?limit=200')
      const store = stores.items.find((s) => s.id === api.rows[0].store_id)
      await page.locator('[data-test=report-store]').click()
      await pickOption(page, store.name)
      await page.waitForURL((u) => u.hash.includes(`store_id=${store.id}`))
      const one = await h.apiAs('hq', 'GET', `/reports/member_sales?from=${from}&to=${api.to}&store_id=${store.id}`)
      await waitRows(page, one.rows.length)
      for (const text of await (await tableRows(page)).allInnerTexts()) assert.ok(text.includes(store.name), text)

      // "Last 12 months" brings the whole period back (the store stays chosen).
      await page.locator('[data-test=period-12]').click()
      await page.waitForURL((u) => u.hash.includes(`from=${api.from}`))
      const twelve = await h.apiAs('hq', 'GET', `/reports/member_sales?store_id=${store.id}`)
      await waitRows(page, twelve.rows.length)

      // A bad month in the address: the refusal names the field and marks it.
      await page.goto(`${h.base}/#/reports/member_sales?from=2026-13`)
      const err = page.locator('[data-test=report-error]')
      await err.waitFor()
      assert.equal(await err.getAttribute('data-field'), 'from')
      assert.ok((await err.innerText()).includes('开始月份'), await err.innerText())
      await page.locator('.filter.bad[data-field=from]').waitFor()
      // A first month after the last is caught before asking.
      await page.goto(`${h.base}/#/reports/member_sales?from=${api.to}&to=${api.from}`)
      await page.locator('[data-test=report-error]').filter({ hasText: '开始月份不能晚于结束月份' }).waitFor()
    },
  },
  {
    name: 'reports: P4 an analyst downloads member_sales as CSV (BOM + column titles), GBK CSV and XLSX (a zip)',
    needs: [...REPORT, ...EXPORT],
    timeout: 30,
    async fn(h) {
      const to = monthOf(new Date())
      const from = shift(to, -5)
      const api = await h.apiAs('hq', 'GET', `/reports/member_sales?from=${from}&to=${to}`)
      const page = await h.newPage()
      await h.login(page, 'hq')
      await page.goto(`${h.base}/#/reports/member_sales?from=${from}&to=${to}`)
      await waitRows(page, api.rows.length)
      const titles = api.columns.map((c) => c.title).join(',')

      const csv = await downloadBytes(page, page.locator('[data-test=export-csv]'))
      assert.equal(csv.name, `member_sales-${from}-${to}.csv`)
      assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel')
      const lines = csv.bytes.subarray(3).toString('utf8').split('\r\n')
      assert.equal(lines[0], titles)
      assert.equal(lines.filter((l) => l).length, api.rows.length + 2, 'header, rows and the totals line')
      assert.ok(lines[api.rows.length + 1].startsWith('合计'), lines[api.rows.length + 1])
      await page.locator('.el-message--success').filter({ hasText: `已导出 ${api.rows.length} 行` }).waitFor()

      const gbk = await downloadBytes(page, page.locator('[data-test=export-gbk]'))
      assert.notEqual(gbk.bytes[0], 0xef, 'no BOM in GBK')
      assert.equal(new TextDecoder('gbk').decode(gbk.bytes).split('\r\n')[0], titles)

      const xlsx = await downloadBytes(page, page.locator('[data-test=export-xlsx]'))
      assert.equal(xlsx.name, `member_sales-${from}-${to}.xlsx`)
      assert.deepEqual([...xlsx.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'an XLSX is a zip (PK)')

      // Each download is in the audit log (P4), with its row count.
      const audit = await h.apiAs('admin', 'GET', '/audit?limit=20')
      const exports = audit.items.filter((a) => a.action === 'report_export' && a.username === 'hq' && a.entity_id === 'member_sales')
      assert.ok(exports.length >= 3, JSON.stringify(audit.items.slice(0, 4)))
      assert.ok(exports[0].detail.includes(`rows=${api.rows.length}`), exports[0].detail)
    },
  },
  {
    name: 'reports: P2 a store manager sees only their own store in member_sales, with no store to choose',
    needs: REPORT,
    timeout: 25,
    async fn(h) {
      const me = await h.apiAs('store1', 'GET', '/auth/me')
      const api = await h.apiAs('store1', 'GET', '/reports/member_sales')
      assert.equal(api.scope.store_id, me.store_id)
      const page = await h.newPage()
      await openReports(h, page, 'store1')
      await page.locator('[data-report=member_sales]').click()
      await waitRows(page, api.rows.length)
      assert.equal(await page.locator('[data-test=report-store]').count(), 0, 'no store choice')
      assert.equal(await page.locator('[data-test=report-region]').count(), 0, 'no region choice')
      const storeName = api.rows.length ? api.rows[0].store_name : ''
      for (const r of api.rows) assert.equal(r.store_id, me.store_id)
      for (const text of await (await tableRows(page)).allInnerTexts()) assert.ok(text.includes(storeName), text)
      await page.locator('[data-test=report-scope]').filter({ hasText: storeName }).waitFor()
      // Another store's figures are refused by the server, whatever the address says.
      const other = (await h.apiAs('admin', 'GET', '/stores?limit=200')).items.find((s) => s.id !== me.store_id)
      await assert.rejects(h.apiAs('store1', 'GET', `/reports/member_sales?store_id=${other.id}`), /403/)
      // A store manager exports too (report_export).
      await page.locator('[data-test=export-csv]').waitFor()
    },
  },
  {
    name: 'reports: R3 the tiers of every program members are on have rows of their own, and the tier filter picks them by name',
    needs: [['GET', '/reports'], ['GET', '/reports/tier_mix']],
    timeout: 30,
    async fn(h) {
      const catalogue = await h.apiAs('hq', 'GET', '/reports')
      // The demo puts SZ02's corporate buyers on the key-accounts program.
      const own = catalogue.tiers.filter((t) => t.code.startsWith('key_accounts:'))
      assert.ok(own.length >= 3, JSON.stringify(catalogue.tiers))
      for (const t of own) assert.ok(t.name.startsWith('大客户') && t.name.includes('·'), t.name)
      const all = await h.apiAs('hq', 'GET', '/reports/tier_mix')
      // Each program's ladder has its rows (with or without members).
      const row = all.rows.find((r) => r.tier_code === own[0].code)
      assert.ok(row, JSON.stringify(all.rows))
      assert.equal(row.tier_name, own[0].name)
      const page = await h.newPage()
      await openReports(h, page, 'hq')
      await page.locator('[data-report=tier_mix]').click()
      await waitRows(page, all.rows.length)
      const texts = await (await tableRows(page)).allInnerTexts()
      assert.ok(texts.some((t) => t.includes(row.tier_name) && t.includes(String(row.members))), texts.join('\n'))
      // The filter offers the program's tiers by their names; picking one asks
      // for its key and shows its members only.
      const only = await h.apiAs('hq', 'GET', `/reports/tier_mix?tier=${encodeURIComponent(row.tier_code)}`)
      assert.equal(only.totals.members, row.members)
      await page.locator('[data-test=report-tier]').click()
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().includes('/reports/tier_mix?') && decodeURIComponent(r.url()).includes(`tier=${row.tier_code}`)),
        pickOption(page, row.tier_name),
      ])
      assert.equal((await answer.json()).totals.members, row.members)
      await page.locator('[data-test=report-scope]').filter({ hasText: row.tier_name }).waitFor()
    },
  },
  {
    name: 'reports: an associate has no reports menu and is turned away from the report pages',
    needs: LIST,
    timeout: 15,
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.locator('[data-test=nav]').waitFor()
      assert.equal(await page.locator('[data-menu=reports]').count(), 0)
      await page.goto(`${h.base}/#/reports`)
      await page.waitForURL(/#\/forbidden/)
      await page.goto(`${h.base}/#/reports/member_sales`)
      await page.waitForURL(/#\/forbidden/)
      // No report figures on the associate's dashboard either.
      await page.goto(`${h.base}/#/dashboard`)
      await page.locator('[data-test=dashboard]').waitFor()
      assert.equal(await page.locator('[data-chart=member-sales-trend]').count(), 0)
    },
  },
  {
    name: 'reports: every report of the catalogue opens — its table or an empty state, or "not available yet" while it is being built',
    needs: LIST,
    timeout: 90,
    async fn(h) {
      const catalogue = await h.apiAs('admin', 'GET', '/reports')
      const page = await h.newPage()
      await h.login(page, 'admin')
      let built = 0
      for (const r of catalogue.items) {
        let api = null
        let status = 200
        try {
          api = await h.apiAs('admin', 'GET', `/reports/${r.name}`)
        } catch (e) {
          status = Number((/: (\d{3}) /.exec(e.message) || [])[1])
          if (status !== 404) throw e
        }
        await page.goto(`${h.base}/#/reports/${r.name}`)
        await page.locator(`[data-test=report-page][data-report=${r.name}]`).waitFor()
        if (status === 404) {
          await page.locator('[data-test=report-not-built]').waitFor()
          assert.equal(await page.locator('[data-test=export-csv]').isDisabled(), true, `${r.name}: nothing to export yet`)
          continue
        }
        built++
        await page.locator('[data-test=report-table], [data-test=report-empty]').first().waitFor()
        if (await page.locator('[data-test=report-table]').count()) {
          await waitRows(page, api.rows.length)
          const header = await page.locator('[data-test=report-table] .el-table__header-wrapper th').allInnerTexts()
          assert.deepEqual(header.map((s) => s.trim()), api.columns.map((c) => c.title), r.name)
          // A report with rows has at least one chart.
          if (api.rows.length) await page.locator('[data-test=report-charts] canvas').first().waitFor()
        }
      }
      assert.ok(built >= 1, 'member_sales at least is built')
    },
  },
  {
    name: 'reports: R1/R2 the dashboard of HQ and of a store manager shows member sales from the report',
    needs: REPORT,
    timeout: 25,
    async fn(h) {
      for (const user of ['hq', 'store1']) {
        const api = await h.apiAs(user, 'GET', '/reports/member_sales')
        const month = api.rows.filter((r) => r.month === api.to)
        const fen = month.reduce((a, r) => a + r.member_sales_fen, 0)
        const page = await h.newPage()
        await h.login(page, user)
        await page.locator('[data-chart=member-sales-trend] canvas').waitFor()
        const kpi = page.locator('[data-kpi=sales-this-month]')
        await kpi.locator('[data-test=kpi-value]').waitFor()
        const yuan = `¥${String(Math.floor((fen + 50) / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`
        assert.equal((await kpi.locator('[data-test=kpi-value]').innerText()).trim(), yuan, user)
        await page.locator('[data-chart=member-growth-trend]').waitFor()
      }
    },
  },
  {
    name: 'reports: R10 a Platinum-and-above member\'s yearly report opens from the member page, printable; a lower tier is told why',
    needs: [['GET', '/members/1/yearly-report'], ['GET', '/reports/top_members']],
    timeout: 40,
    async fn(h) {
      // The demo's department-store ladder has no 白金 tier: its top two tiers
      // (钻石卡, 紫金钻石卡) are "Platinum and above".
      const top = await h.apiAs('admin', 'GET', '/reports/top_members?limit=500')
      const vip = top.rows.find((r) => ['钻石卡', '紫金钻石卡'].includes(r.tier_name))
      assert.ok(vip, 'the demo chain has a member on one of the top two tiers')
      const api = await h.apiAs('admin', 'GET', `/members/${vip.member_id}/yearly-report`)
      assert.equal(api.member.member_no, vip.member_no)
      const page = await h.newPage({ height: 1000 })
      await h.login(page, 'admin')
      await page.goto(`${h.base}/#/members/${vip.member_id}`)
      await page.locator('[data-test=yearly-report]').click()
      await page.waitForURL(/yearly-report/)
      await page.locator('[data-test=yearly-sheet]').waitFor()
      assert.ok((await page.locator('[data-test=yearly-member]').innerText()).includes(vip.member_no))
      await page.locator('[data-test=yearly-kpis]').waitFor()
      await page.locator('[data-test=yearly-month-chart] canvas').waitFor()
      await page.locator('[data-test=yearly-print]').waitFor()
      // Printed, the menus are gone and the sheet stays.
      await page.emulateMedia({ media: 'print' })
      assert.equal(await page.locator('[data-test=yearly-print]').isVisible(), false)
      assert.equal(await page.locator('[data-test=yearly-sheet]').isVisible(), true)
      await page.emulateMedia({ media: 'screen' })

      // A member on a lower tier: the page says why instead of a report.
      const low = top.rows.find((r) => r.tier_name && !['钻石卡', '紫金钻石卡'].includes(r.tier_name))
      assert.ok(low, 'the demo chain has a member on a lower tier')
      await page.goto(`${h.base}/#/members/${low.member_id}/yearly-report`)
      await page.locator('[data-test=yearly-error]').waitFor()
    },
  },
]
