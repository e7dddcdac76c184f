// Browser tests of 回访月报 (SPEC C3, R8): the monthly store visit report, the
// store manager's plan for the next month and the regional summary
// (web/src/views/care/ReportView.vue). Run by run.mjs against the demo chain;
// each test compares the page with what the API answers the same account,
// so they hold whether or not the demo has care tasks in the month.
import assert from 'node:assert/strict'

const MONTHLY = [['GET', '/care-reports/monthly']]
const PLAN = [['PUT', '/care-reports/plan']]
const REGIONAL = [['GET', '/care-reports/regional']]

// The company's month (Asia/Shanghai), as the page picks it by default.
function monthOf(date) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(date)
  const get = (type) => parts.find((p) => p.type === type).value
  return `${get('year')}-${get('month')}`
}
function shift(month, n) {
  let [y, m] = month.split('-').map(Number)
  m += n
  while (m > 12) {
    m -= 12
    y += 1
  }
  while (m < 1) {
    m += 12
    y -= 1
  }
  return `${y}-${String(m).padStart(2, '0')}`
}

async function openReport(h, page, user) {
  await h.login(page, user)
  await page.locator('[data-menu=care-report]').click()
  await page.waitForURL(/#\/care-report/)
  await page.locator('[data-test=care-report-page]').waitFor()
}

export const CARE_REPORT_TESTS = [
  {
    name: 'care_report: C3 store1 sees this month of SH01 as the API counts it and writes next month\'s plan',
    needs: [...MONTHLY, ...PLAN],
    timeout: 25,
    async fn(h) {
      const month = monthOf(new Date())
      const api = await h.apiAs('store1', 'GET', `/care-reports/monthly?month=${month}`)
      const page = await h.newPage()
      await openReport(h, page, 'store1')
      await page.locator('[data-test=report-kpis]').waitFor()
      for (const k of ['planned', 'done', 'on_time', 'overdue', 'pending']) {
        assert.equal((await page.locator(`[data-test=report-${k}]`).innerText()).trim(), String(api.totals[k]), k)
      }
      assert.equal((await page.locator('[data-test=report-points]').innerText()).trim(), String(api.totals.points_growth))
      const channelRows = await page.locator('[data-test=report-channels] .el-table__body tr').count()
      assert.equal(channelRows, api.by_channel.length, 'one row per channel')
      if (api.by_channel.length) await page.locator('[data-test=report-chart] canvas').waitFor()
      assert.equal(await page.locator('[data-test=store-select], [data-test=report-store]').count(), 0, 'a store manager sees only their own store')

      // Next month's plan: typed, saved, and there after a reload.
      const next = shift(month, 1)
      const text = `${next} 计划：节前一周电话邀约A类会员（浏览器测试 ${Date.now()}）`
      await page.locator('[data-test=plan-text]').fill(text)
      await page.locator('[data-test=plan-save]').click()
      await page.locator('.el-message--success').waitFor()
      const after = await h.apiAs('store1', 'GET', `/care-reports/monthly?month=${month}`)
      assert.equal(after.next_plan.month, next)
      assert.equal(after.next_plan.text, text)
      await h.docShot(page, 'care-report')
      await page.reload()
      await page.locator('[data-test=report-kpis]').waitFor()
      assert.equal(await page.locator('[data-test=plan-text]').inputValue(), text)
    },
  },
  {
    name: 'care_report: C3 HQ reads the regional summary of last month, one row per store of the region',
    needs: [...MONTHLY, ...REGIONAL],
    timeout: 25,
    async fn(h) {
      const last = shift(monthOf(new Date()), -1)
      const regions = await h.apiAs('hq', 'GET', '/regions')
      const first = regions.items[0]
      const summary = await h.apiAs('hq', 'GET', `/care-reports/regional?region_id=${first.id}&month=${last}`)
      const page = await h.newPage()
      await openReport(h, page, 'hq')
      await page.locator('[data-test=regional-card]').waitFor()
      const rows = page.locator('[data-test=regional-table] .el-table__body tr')
      await rows.first().waitFor()
      assert.equal(await rows.count(), summary.stores.length)
      const firstRow = await rows.first().innerText()
      assert.ok(firstRow.includes(summary.stores[0].code), `${firstRow} names ${summary.stores[0].code}`)
      // The current month is not summarised before it ends.
      await assert.rejects(h.apiAs('hq', 'GET', `/care-reports/regional?region_id=${first.id}&month=${monthOf(new Date())}`), /422/)
      // HQ may not write plans: no save button.
      assert.equal(await page.locator('[data-test=plan-save]').count(), 0)
    },
  },
  {
    name: 'care_report: C3 an associate has no visit report in the menu and is turned away from its page',
    needs: MONTHLY,
    timeout: 15,
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.locator('[data-test=nav]').waitFor()
      assert.equal(await page.locator('[data-menu=care-report]').count(), 0)
      await page.goto(`${h.base}/#/care-report`)
      await page.waitForURL(/#\/forbidden/)
    },
  },
]
