// Browser test of the member page's 寄存商品 tab (存货领用, SPEC C6): an
// associate registers goods a member leaves in store, sees them awaiting
// pickup with a badge on the tab, and hands them over. Run by run.mjs
// against the demo chain (the demo stores no goods, so a member of assoc1
// starts with none awaiting); skipped when the server lacks the routes.
import assert from 'node:assert/strict'

// YYYY-MM-DD `days` after today in China (the server's day).
function chinaDay(days) {
  const d = new Date(Date.now() + days * 86400000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
}

export const STORED_GOODS_TESTS = [
  {
    name: 'stored goods (寄存商品): an associate registers goods, the tab badge counts them, 领取 hands them over; an empty description is refused under 商品',
    needs: [
      ['GET', '/members/1/stored-goods'],
      ['POST', '/members/1/stored-goods'],
      ['POST', '/members/1/stored-goods/1/collect'],
    ],
    timeout: 15,
    async fn(h) {
      // A formal member of assoc1 with nothing awaiting pickup.
      const members = (await h.apiAs('assoc1', 'GET', '/members?status=formal&limit=10&offset=12')).items
      let member = null
      for (const m of members) {
        if ((await h.apiAs('assoc1', 'GET', `/members/${m.id}/stored-goods`)).awaiting === 0) {
          member = m
          break
        }
      }
      assert.ok(member, 'assoc1 has a formal member without stored goods')

      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.goto(`${h.base}/#/members/${member.id}?tab=goods`)
      const tabItem = page.locator('.el-tabs__item').filter({ has: page.locator('[data-test=goods-tab]') })
      assert.equal((await tabItem.innerText()).trim(), '寄存商品')
      const tab = page.locator('[data-test=stored-goods]')
      await tab.locator('[data-test=stored-goods-table]').getByText('没有待领取的寄存商品').waitFor()
      assert.equal(await page.locator('[data-test=goods-badge]').count(), 0, 'no badge while nothing awaits pickup')

      // 1. No description: the server's refusal is under 商品; nothing is stored.
      await tab.locator('[data-test=store-goods]').click()
      const dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('登记寄存商品').waitFor()
      await dialog.locator('[data-test=goods-submit]').click()
      const descItem = dialog.locator('[data-field=description]')
      await descItem.locator('.el-form-item__error').waitFor()
      assert.equal((await descItem.locator('.el-form-item__label').innerText()).trim().replace(/^\*/, ''), '商品')
      // The dialog has no check of its own: this is the server's answer on its field.
      assert.match((await descItem.locator('.el-form-item__error').innerText()).trim(), /必填/)
      assert.equal((await h.apiAs('assoc1', 'GET', `/members/${member.id}/stored-goods?include_collected=true`)).total, 0, 'nothing was stored')

      // 2. 羊绒大衣 ×1, to be picked up in a week: 待领取, and the tab's badge says 1.
      const pickup = chinaDay(7)
      await dialog.locator('input[data-test=goods-description-input]').fill('羊绒大衣')
      await descItem.locator('.el-form-item__error').waitFor({ state: 'detached' })
      const date = dialog.locator('[data-field=pickup_by] input')
      await date.fill(pickup)
      await date.press('Enter')
      await dialog.locator('[data-test=goods-submit]').click()
      await page.locator('.el-message--success').getByText('已登记寄存：羊绒大衣').waitFor()
      await dialog.waitFor({ state: 'hidden' })
      const row = tab.locator('[data-test=stored-goods-table] .el-table__row').filter({ hasText: '羊绒大衣' })
      await row.locator('[data-test=goods-status]').getByText('待领取').waitFor()
      assert.equal((await row.locator('[data-test=goods-quantity]').innerText()).trim(), '1')
      assert.equal((await row.locator('[data-test=goods-pickup-by]').innerText()).trim(), pickup)
      assert.equal(await row.locator('[data-test=goods-overdue]').count(), 0, 'a pickup date ahead is not overdue')
      await page.locator('[data-test=goods-badge]').getByText('1', { exact: true }).waitFor()
      const stored = (await h.apiAs('assoc1', 'GET', `/members/${member.id}/stored-goods`)).items
      assert.equal(stored.length, 1)
      assert.equal(stored[0].description, '羊绒大衣')
      assert.equal(stored[0].quantity, 1)
      assert.equal(stored[0].pickup_by, pickup)
      await h.docShot(page, 'stored-goods')

      // 3. 领取 after the confirmation: the row says 已领取 and the badge is gone.
      await row.locator('[data-test=goods-collect]').click()
      const box = page.locator('.el-message-box:visible')
      await box.getByText('羊绒大衣').waitFor()
      await box.locator('.el-button--primary').click()
      await row.locator('[data-test=goods-status]').getByText('已领取').waitFor()
      assert.equal(await row.locator('[data-test=goods-collect]').count(), 0, 'collected goods have no 领取 button')
      await row.locator('[data-test=goods-collected-on]').waitFor()
      await page.locator('[data-test=goods-badge]').waitFor({ state: 'detached' })
      const after = await h.apiAs('assoc1', 'GET', `/members/${member.id}/stored-goods?include_collected=true`)
      assert.equal(after.awaiting, 0)
      assert.equal(after.items[0].status, 'collected')

      // 显示已领取 keeps listing them after a reload of the page.
      await page.reload()
      await tab.locator('[data-test=stored-goods-table]').getByText('没有待领取的寄存商品').waitFor()
      await tab.locator('[data-test=show-collected]').click()
      await row.locator('[data-test=goods-status]').getByText('已领取').waitFor()
    },
  },
]
