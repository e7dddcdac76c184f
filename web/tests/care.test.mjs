// Browser tests of the care engine's screens (SPEC C2, C3, C5): 我的任务 and
// the store task board, the completion dialog with its contact entry, 分配 /
// 转派, the member's 关怀任务 and 联系记录 tabs and the outbox. Run by run.mjs
// against the same demo chain as the other tests: `vipcare demo` runs the
// care job for the demo day, so assoc1 and store1 have open tasks. A test
// that `needs` a route the server lacks is reported as skipped.
import assert from 'node:assert/strict'

// An open task of `user` on the first page of the list the UI asks for
// (GET /tasks?status=pending, `extra` filters), chosen by `accept`.
async function openTask(h, user, extra, accept = () => true) {
  const page = await h.apiAs(user, 'GET', `/tasks?status=pending&limit=20${extra}`)
  const task = page.items.find(accept)
  assert.ok(task, `${user} has an open care task (the demo runs the care job for its day); got ${page.total}`)
  return task
}

// The table row of task `id` (TaskTable names rows task-row-<id>).
const rowOf = (page, id) => page.locator(`[data-test=task-table] .el-table__row.task-row-${id}`)

// Picks `text` in the open Element Plus select drop-down.
async function pickOption(page, text) {
  await page.locator('.el-select-dropdown__item:visible').filter({ hasText: text }).first().click()
}

export const CARE_TESTS = [
  {
    name: "care: an associate completes a task from 我的任务; an empty summary is refused on 联系内容; the member's 联系记录 shows the contact",
    needs: [
      ['GET', '/tasks'],
      ['POST', '/tasks/1/complete'],
      ['GET', '/members/1/contacts'],
    ],
    timeout: 30,
    async fn(h) {
      const task = await openTask(h, 'assoc1', '&assignee=me')
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.locator('[data-menu=tasks]').click()
      await page.waitForURL(/#\/tasks/)
      await page.locator('[data-test=tasks-page]').getByText('我的任务').first().waitFor()
      await page.locator('[data-test=task-views] [data-view=pending]').click()
      const row = rowOf(page, task.id)
      await row.locator('[data-test=task-status]').getByText('待办').or(row.locator('[data-test=task-status]').getByText('已转派')).waitFor()
      assert.equal((await row.locator('[data-test=task-name]').innerText()).trim(), task.name)
      await row.getByText(task.member_no).waitFor()
      if (task.action) await row.locator('[data-test=task-action]').getByText(task.action).waitFor()
      await h.docShot(page, 'tasks')

      // 1. No summary: the server's refusal is shown under 联系内容; nothing changes.
      await row.locator('[data-test=task-complete]').click()
      const dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('完成关怀任务').waitFor()
      await dialog.locator('[data-test=contact-submit]').click()
      const summaryItem = dialog.locator('[data-field=summary]')
      await summaryItem.locator('.el-form-item__error').waitFor()
      assert.ok((await summaryItem.locator('.el-form-item__label').innerText()).includes('联系内容'))
      // The dialog has no check of its own: this is the server's answer on its field.
      assert.match((await summaryItem.locator('.el-form-item__error').innerText()).trim(), /必填/)
      assert.ok(['open', 'forwarded'].includes((await h.apiAs('assoc1', 'GET', `/tasks/${task.id}`)).status), 'the task is still open')

      // 2. With a summary, a rating and a follow-up: done, and the row says so.
      const summary = `UI测试：电话问候，会员表示满意 ${Date.now() % 100000}`
      await dialog.locator('[data-test=contact-channel]').click()
      await pickOption(page, '电话')
      await dialog.locator('textarea[data-test=contact-summary]').fill(summary)
      await summaryItem.locator('.el-form-item__error').waitFor({ state: 'detached' })
      await dialog.locator('[data-test=contact-satisfaction] .el-rate__item').nth(3).click()
      await dialog.locator('input[data-test=contact-follow-up]').fill('下周回访新品试穿')
      await dialog.locator('[data-test=contact-submit]').click()
      await page.locator('.el-message--success').getByText('任务已处理').waitFor()
      await row.locator('[data-test=task-status]').getByText('已完成').waitFor()
      assert.equal(await row.locator('[data-test=task-complete]').count(), 0, 'a done task has no 完成 button')
      const done = await h.apiAs('assoc1', 'GET', `/tasks/${task.id}`)
      assert.equal(done.status, 'done')
      assert.ok(done.events.some((e) => e.kind === 'completed'), 'the completion is in the task history')

      // 3. The member's page: the task is done, the contact is in 联系记录.
      await row.locator('[data-test=task-member]').click()
      await page.waitForURL(new RegExp(`#/members/${task.member_id}\\?tab=tasks`))
      await rowOf(page, task.id).locator('[data-test=task-status]').getByText('已完成').waitFor()
      await page.locator('.el-tabs__item').getByText('联系记录', { exact: true }).click()
      const contact = page.locator('[data-test=contacts-table] .el-table__row').filter({ hasText: summary })
      await contact.waitFor()
      assert.equal((await contact.locator('[data-test=contact-channel]').innerText()).trim(), '电话')
      assert.equal((await contact.locator('[data-test=contact-outcome]').innerText()).trim(), '已联系')
      await contact.getByText('下周回访新品试穿').waitFor()
      const contacts = await h.apiAs('assoc1', 'GET', `/members/${task.member_id}/contacts?limit=5`)
      const logged = contacts.items.find((c) => c.summary === summary)
      assert.ok(logged, 'the contact is stored')
      assert.equal(logged.task_id, task.id)
      assert.equal(logged.satisfaction, 4)
    },
  },
  {
    name: 'care: a store manager assigns one task and forwards another to assoc1 from the task board',
    needs: [
      ['GET', '/tasks'],
      ['POST', '/tasks/1/assign'],
      ['POST', '/tasks/1/forward'],
    ],
    timeout: 30,
    async fn(h) {
      const assoc = await h.apiAs('assoc1', 'GET', '/auth/me')
      assert.ok(assoc.staff_id, 'assoc1 is a staff member')
      const first = await openTask(h, 'store1', '', (t) => t.assignee_id !== assoc.staff_id)
      const second = await openTask(h, 'store1', '', (t) => t.assignee_id !== assoc.staff_id && t.id !== first.id)
      const staff = await h.apiAs('store1', 'GET', `/staff?store_id=${first.store_id}&limit=200`)
      const assocName = staff.items.find((s) => s.id === assoc.staff_id).name

      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.locator('[data-menu=tasks]').click()
      await page.locator('[data-test=tasks-page]').getByText('门店任务看板').first().waitFor()
      await page.locator('[data-test=task-views] [data-view=pending]').click()
      await rowOf(page, first.id).waitFor()
      await page.locator('[data-test=task-table] thead').getByText('执行人').waitFor()

      // 分配: the task goes to assoc1 and stays open.
      await rowOf(page, first.id).locator('[data-test=task-assign]').click()
      let dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('分配任务').first().waitFor()
      await dialog.locator('[data-test=handoff-staff]').click()
      await pickOption(page, assocName)
      await dialog.locator('textarea[data-test=handoff-note]').fill('UI测试：请本周内联系')
      await dialog.locator('[data-test=handoff-submit]').click()
      await page.locator('.el-message--success').getByText(`已分配给 ${assocName}`).waitFor()
      await rowOf(page, first.id).locator('[data-test=task-assignee]').getByText(assocName).waitFor()
      const assigned = await h.apiAs('assoc1', 'GET', `/tasks/${first.id}`)
      assert.equal(assigned.assignee_id, assoc.staff_id, 'assoc1 now holds the task')
      assert.ok(assigned.events.some((e) => e.kind === 'assigned' && e.note === 'UI测试：请本周内联系'))

      // 转派: the second task is forwarded to assoc1 and shows 已转派.
      await dialog.waitFor({ state: 'hidden' })
      await rowOf(page, second.id).locator('[data-test=task-forward]').click()
      dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('转派任务').first().waitFor()
      await dialog.locator('[data-test=handoff-staff]').click()
      await pickOption(page, assocName)
      await dialog.locator('[data-test=handoff-submit]').click()
      await rowOf(page, second.id).locator('[data-test=task-status]').getByText('已转派').waitFor()
      await rowOf(page, second.id).locator('[data-test=task-assignee]').getByText(assocName).waitFor()
      const mine = await h.apiAs('assoc1', 'GET', '/tasks?status=forwarded&limit=200')
      assert.ok(mine.items.some((t) => t.id === second.id), "the forwarded task is in assoc1's list")

      // The row opens to the task's history.
      await rowOf(page, second.id).locator('.el-table__expand-icon').click()
      await page.locator('[data-test=task-detail]').getByText(`转派：`).first().waitFor()
    },
  },
  {
    name: "care: 记录联系 logs a contact without a task; the outbox is for managers and names why a message was held back",
    needs: [
      ['POST', '/members/1/contacts'],
      ['GET', '/members/1/contacts'],
      ['GET', '/outbox'],
    ],
    timeout: 30,
    async fn(h) {
      const member = (await h.apiAs('assoc1', 'GET', '/members?status=formal&limit=1&offset=5')).items[0]
      assert.ok(member, 'assoc1 has a formal member')
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.goto(`${h.base}/#/members/${member.id}?tab=contacts`)
      const tab = page.locator('[data-test=member-contacts]')
      await tab.locator('[data-test=log-contact]').click()
      const dialog = page.locator('.el-dialog:visible')
      await dialog.getByText('记录联系').first().waitFor()
      assert.equal(await dialog.locator('[data-test=contact-outcome]').count(), 0, 'a contact without a task has no outcome')
      const summary = `UI测试：会员来电咨询积分 ${Date.now() % 100000}`
      await dialog.locator('[data-test=contact-channel]').click()
      await pickOption(page, '微信')
      await dialog.locator('textarea[data-test=contact-summary]').fill(summary)
      await dialog.locator('[data-test=contact-satisfaction] .el-rate__item').nth(4).click()
      await dialog.locator('[data-test=contact-submit]').click()
      await page.locator('.el-message--success').getByText('联系记录已保存').waitFor()
      const row = tab.locator('[data-test=contacts-table] .el-table__row').filter({ hasText: summary })
      await row.waitFor()
      assert.equal((await row.locator('[data-test=contact-channel]').innerText()).trim(), '微信')
      const stored = (await h.apiAs('assoc1', 'GET', `/members/${member.id}/contacts?limit=5`)).items.find((c) => c.summary === summary)
      assert.ok(stored, 'the contact is stored')
      assert.equal(stored.channel, 'wechat')
      assert.equal(stored.satisfaction, 5)
      assert.equal(stored.task_id ?? null, null)

      // The outbox is not an associate's page.
      assert.equal(await page.locator('[data-menu=outbox]').count(), 0)
      await page.goto(`${h.base}/#/outbox`)
      await page.locator('[data-test=forbidden-page]').waitFor()
      await h.logout(page)

      // A store manager sees the outbox; a held-back message says why in Chinese.
      await h.login(page, 'store1')
      await page.locator('[data-menu=outbox]').click()
      await page.locator('[data-test=outbox-page]').waitFor()
      const suppressed = await h.apiAs('store1', 'GET', '/outbox?status=suppressed&limit=20')
      await page.locator('[data-test=outbox-status-filter] [data-status=suppressed]').click()
      await page.waitForURL(/status=suppressed/)
      const rows = page.locator('[data-test=outbox-table] .el-table__row')
      if (suppressed.total === 0) {
        await page.locator('[data-test=outbox-table]').getByText('暂无消息').waitFor()
        return
      }
      await rows.first().waitFor()
      const REASONS = { invalid_number: '号码无效', invalid_email: '邮箱无效', opt_out: '已退订', dnd: '免打扰时段', weekly_cap: '每周上限', missing_value: '模板缺少数据' }
      const first = suppressed.items[0]
      const firstRow = rows.first()
      assert.equal((await firstRow.locator('[data-test=outbox-status]').innerText()).trim(), '已拦截')
      if (REASONS[first.reason]) assert.equal((await firstRow.locator('[data-test=outbox-reason]').innerText()).trim(), REASONS[first.reason])
      assert.equal(await rows.count(), Math.min(suppressed.total, 20))
    },
  },
]
