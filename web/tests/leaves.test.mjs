// Browser tests of 请假交接 (SPEC C2: "when an associate is on leave their
// members and open tasks go to the store manager and come back afterwards";
// web/src/views/care/LeavesView.vue). Run by run.mjs against the demo chain,
// where `vipcare demo` ran the care job so assoc1 has open tasks. Each step
// compares the page with what the API answers.
import assert from 'node:assert/strict'

const NEEDS = [
  ['GET', '/staff-leaves'],
  ['POST', '/staff-leaves'],
  ['POST', '/staff-leaves/1/end'],
  ['GET', '/tasks'],
]

// The company's day (Asia/Shanghai) `n` days from today, YYYY-MM-DD.
function dayFromToday(n) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
  const d = new Date(`${today}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

async function pendingIds(h, user, assignee) {
  const page = await h.apiAs(user, 'GET', `/tasks?status=pending&assignee=${assignee}&limit=200`)
  return page.items.map((t) => t.id)
}

// Picks `text` in the open Element Plus select drop-down.
async function pickOption(page, text) {
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

// Types a day into the date picker of form item `field` and closes its panel.
async function typeDay(dialog, field, day) {
  const input = dialog.locator(`[data-field=${field}] input`)
  await input.fill(day)
  await input.press('Enter')
}

async function openNewLeave(page, assocName) {
  await page.locator('[data-test=new-leave]').click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.getByText('登记请假').first().waitFor()
  await dialog.locator('[data-test=leave-staff-select]').click()
  await pickOption(page, assocName)
  return dialog
}

export const LEAVES_TESTS = [
  {
    name: "leaves: C2 store1 registers assoc1's leave, the open tasks go to the manager, an overlap is refused on 开始日期, ending it gives them back",
    needs: NEEDS,
    timeout: 15,
    async fn(h) {
      const manager = await h.apiAs('store1', 'GET', '/auth/me')
      const assoc = await h.apiAs('assoc1', 'GET', '/auth/me')
      const staff = (await h.apiAs('store1', 'GET', `/staff?store_id=${manager.store_id}&limit=200`)).items
      const managerName = staff.find((s) => s.id === manager.staff_id).name
      const assocName = staff.find((s) => s.id === assoc.staff_id).name
      const before = await pendingIds(h, 'assoc1', 'me')
      assert.ok(before.length > 0, 'assoc1 has open care tasks (the demo runs the care job)')
      const today = dayFromToday(0)
      const last = dayFromToday(3)

      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.locator('[data-menu=leaves]').click()
      await page.waitForURL(/#\/leaves/)
      await page.locator('[data-test=leaves-page]').getByText('请假交接').first().waitFor()

      // 1. 登记请假: assoc1, today to today+3; the cover defaults to the manager.
      let dialog = await openNewLeave(page, assocName)
      await dialog.locator('[data-field=covered_by]').getByText(managerName).first().waitFor()
      assert.equal(await dialog.locator('[data-field=from] input').inputValue(), today, 'the leave starts today by default')
      await typeDay(dialog, 'to', last)
      await dialog.locator('[data-test=leave-submit]').click()
      await page.locator('.el-message--success').getByText(`${before.length} 项待办任务已交给 ${managerName}`).waitFor()
      await dialog.waitFor({ state: 'hidden' })
      const leaves = await h.apiAs('store1', 'GET', `/staff-leaves?staff_id=${assoc.staff_id}`)
      assert.equal(leaves.total, 1)
      const leave = leaves.items[0]
      assert.deepEqual([leave.from, leave.to, leave.covered_by, leave.status], [today, last, manager.staff_id, 'active'])
      const row = page.locator(`[data-test=leaves-table] .el-table__row.leave-row-${leave.id}`)
      await row.locator('[data-test=leave-status]').getByText('请假中').waitFor()
      assert.equal((await row.locator('[data-test=leave-staff]').innerText()).trim(), assocName)
      assert.equal((await row.locator('[data-test=leave-period]').innerText()).trim(), `${today} ~ ${last}`)
      assert.equal((await row.locator('[data-test=leave-cover]').innerText()).trim(), managerName)
      await h.docShot(page, 'leaves')

      // The tasks are the manager's now: none left with assoc1.
      assert.deepEqual(await pendingIds(h, 'assoc1', 'me'), [], 'assoc1 has no open tasks while on leave')
      const managers = await pendingIds(h, 'store1', manager.staff_id)
      for (const id of before) assert.ok(managers.includes(id), `task ${id} went to the manager`)

      // ... and the store task board shows them assigned to the manager.
      await row.locator('[data-test=leave-tasks]').click()
      await page.waitForURL(new RegExp(`#/tasks\\?.*assignee=${manager.staff_id}`))
      const board = await h.apiAs('store1', 'GET', `/tasks?status=pending&assignee=${manager.staff_id}&limit=20`)
      const shown = before.filter((id) => board.items.some((t) => t.id === id))
      assert.ok(shown.length > 0, "the board's first page has a handed-over task")
      for (const id of shown) {
        await page.locator(`[data-test=task-table] .el-table__row.task-row-${id} [data-test=task-assignee]`).getByText(managerName).waitFor()
      }
      await page.goBack()
      await page.locator('[data-test=leaves-page]').waitFor()

      // 2. A second, overlapping leave: the server's refusal is shown under 开始日期.
      dialog = await openNewLeave(page, assocName)
      await typeDay(dialog, 'from', dayFromToday(1))
      await typeDay(dialog, 'to', dayFromToday(2))
      await dialog.locator('[data-test=leave-submit]').click()
      const fromItem = dialog.locator('[data-field=from]')
      await fromItem.locator('.el-form-item__error').waitFor()
      assert.ok((await fromItem.locator('.el-form-item__label').innerText()).includes('开始日期'))
      assert.match((await fromItem.locator('.el-form-item__error').innerText()).trim(), new RegExp(`${today} 至 ${last} 已有请假`))
      assert.equal((await h.apiAs('store1', 'GET', `/staff-leaves?staff_id=${assoc.staff_id}`)).total, 1, 'nothing was registered')
      await dialog.getByRole('button', { name: '取消' }).click()
      await dialog.waitFor({ state: 'hidden' })

      // 3. 结束请假, confirmed: 已结束, and the tasks are back with assoc1.
      await row.locator('[data-test=leave-end]').click()
      await page.locator('.el-message-box').getByText(assocName).waitFor()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('.el-message--success').getByText(`${assocName} 的请假已结束`).waitFor()
      await row.locator('[data-test=leave-status]').getByText('已结束').waitFor()
      assert.equal(await row.locator('[data-test=leave-end]').count(), 0, 'an ended leave has no 结束请假 button')
      const back = await pendingIds(h, 'assoc1', 'me')
      for (const id of before) assert.ok(back.includes(id), `task ${id} is back with assoc1`)
      const left = await pendingIds(h, 'store1', manager.staff_id)
      assert.ok(!before.some((id) => left.includes(id)), 'none stays with the manager')
      assert.equal((await h.apiAs('store1', 'GET', `/staff-leaves?staff_id=${assoc.staff_id}`)).items[0].status, 'ended')

      // The status filter: the leave is under 已结束, not under 请假中.
      await page.locator('[data-test=leave-status-filter] [data-status=active]').click()
      await page.waitForURL(/status=active/)
      await row.waitFor({ state: 'detached' })
      await page.locator('[data-test=leave-status-filter] [data-status=ended]').click()
      await row.locator('[data-test=leave-status]').getByText('已结束').waitFor()
    },
  },
  {
    name: 'leaves: C2 an associate has no 请假交接 in the menu and is turned away from its page',
    needs: [['GET', '/staff-leaves']],
    timeout: 15,
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.locator('[data-test=nav]').waitFor()
      assert.equal(await page.locator('[data-menu=leaves]').count(), 0)
      await page.goto(`${h.base}/#/leaves`)
      await page.waitForURL(/#\/forbidden/)
    },
  },
]
