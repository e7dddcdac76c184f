// The browser tests of issue 4, run by run.mjs against a fresh demo chain
// (`vipcare demo --seed 20261123`). Each test gets helpers `h`: base URL,
// apiAs (bearer-token API calls for fixtures), newPage, login, docShot.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'

const ROLE_MENUS = {
  admin: ['dashboard', 'members', 'member-new', 'tasks', 'till', 'approvals', 'outbox', 'leaves', 'care-report', 'reports', 'compliance', 'audit', 'destruction', 'settings', 'stores', 'staff', 'users', 'devices', 'grants', 'company', 'programs', 'care-rules', 'message-templates'],
  hq: ['dashboard', 'care-report', 'reports'],
  region1: ['dashboard', 'members', 'member-new', 'tasks', 'approvals', 'outbox', 'leaves', 'care-report', 'reports', 'grants'],
  store1: ['dashboard', 'members', 'member-new', 'tasks', 'till', 'approvals', 'outbox', 'leaves', 'care-report', 'reports', 'grants', 'settings', 'devices'],
  assoc1: ['dashboard', 'members', 'member-new', 'tasks', 'till'],
  callcenter1: ['dashboard', 'members', 'tasks', 'grants'],
  auditor: ['compliance', 'audit', 'destruction'],
}
const HOME = { auditor: '#/audit' }

async function menuKeys(page) {
  await page.locator('[data-test=nav]').waitFor()
  return page.$$eval('[data-menu]', (els) => els.map((e) => e.getAttribute('data-menu')))
}

async function noHorizontalOverflow(page, what) {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }))
  assert.ok(scroll <= width + 1, `${what}: the page is ${scroll}px wide in a ${width}px window`)
}

// The first day of this month in the demo company's time zone, as joined_from takes it.
function monthStart() {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).formatToParts(new Date())
  const part = (type) => parts.find((p) => p.type === type).value
  return `${part('year')}-${part('month')}-01`
}

// Clicks `button` and returns the text of the file the browser downloads.
async function downloadText(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()])
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') }
}

// A fresh 11-digit mobile no demo member has (the demo uses random numbers).
function newMobile() {
  return `199${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
}

export const TESTS = [
  {
    name: 'login page is in Chinese and rejects a wrong password',
    async fn(h) {
      const page = await h.newPage()
      await page.goto(`${h.base}/`)
      await page.waitForURL(/#\/login/)
      await page.getByText('VIP客户管理系统').first().waitFor()
      assert.equal(await page.locator('[data-test=login-submit]').innerText(), '登 录')
      await h.docShot(page, 'login')
      // An unknown account, so no real account gets closer to its lockout.
      await page.locator('input[name=username]').fill('nobody-here')
      await page.locator('input[name=password]').fill('wrong-password')
      await page.locator('[data-test=login-submit]').click()
      await page.locator('[data-test=login-error]').getByText('用户名或密码错误').waitFor()
      // Empty fields are caught before the server is asked.
      await page.locator('input[name=username]').fill('')
      await page.locator('[data-test=login-submit]').click()
      await page.getByText('请输入用户名').waitFor()
    },
  },
  {
    name: 'each role sees only its menus and lands on its home page',
    timeout: 45,
    async fn(h) {
      // One browser tab for all roles: signing out and in again must not
      // leave the previous role's menus or data behind.
      const page = await h.newPage()
      for (const [user, expected] of Object.entries(ROLE_MENUS)) {
        await h.login(page, user)
        await page.waitForURL((u) => u.hash.startsWith(HOME[user] || '#/dashboard'))
        const keys = await menuKeys(page)
        assert.deepEqual([...keys].sort(), [...expected].sort(), `menus of ${user}`)
        const roleTag = await page.locator('[data-test=role-tag]').innerText()
        assert.ok(roleTag.length > 0, `role of ${user} shown`)
        if (user === 'admin') {
          await page.locator('[data-chart=by-store] canvas').waitFor()
          await page.locator('[data-chart=by-status] canvas').waitFor()
          await page.locator('[data-kpi=members] [data-test=kpi-value]').waitFor()
          await page.waitForTimeout(600) // let the charts' entry animation finish
          await h.docShot(page, 'dashboard')
        }
        if (user === 'hq') {
          // Aggregates only: org charts, no member pages.
          await page.locator('[data-chart=stores-by-region] canvas').waitFor()
          await page.goto(`${h.base}/#/members/1`)
          await page.locator('[data-test=forbidden-page]').waitFor()
        }
        if (user === 'auditor') {
          await page.locator('[data-test=audit-table] .el-table__row').first().waitFor()
          await page.goto(`${h.base}/#/settings/users`)
          await page.locator('[data-test=forbidden-page]').waitFor()
        }
        await h.logout(page)
      }
      // A session that ends on the server sends the user back to sign in, with a notice.
      await h.login(page, 'store1')
      await page.locator('[data-chart=by-associate] canvas').waitFor()
      await page.locator('[data-kpi=staff] [data-test=kpi-value]').waitFor()
      await page.waitForLoadState('networkidle')
      await page.context().clearCookies()
      await page.locator('[data-menu=members]').click()
      await page.waitForURL(/#\/login/)
      await page.getByText('登录已过期，请重新登录').waitFor()
    },
  },
  {
    name: 'search a member by number, mobile and card, then open the 360 page',
    async fn(h) {
      // The member with the fullest file among the first of store1's, so the
      // screenshot shows family, preferences and special needs.
      const rows = (await h.apiAs('store1', 'GET', '/members?limit=30')).items
      let best = null
      let bestScore = -1
      for (const r of rows) {
        const m = await h.apiAs('store1', 'GET', `/members/${r.id}`)
        const p = m.preferences
        const score = m.family.length * 2 + m.anniversaries.length + (p.special_needs ? 5 : 0) + p.hobbies.length + p.brands.length + m.tags.length
        if (score > bestScore) [best, bestScore] = [m, score]
      }
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/members`)
      // A store manager's list opens with the store's members, unmasked.
      const firstRow = page.locator('[data-test=member-table] .el-table__body tr').first()
      await firstRow.waitFor()
      assert.match((await firstRow.locator('td').nth(3).innerText()).trim(), /^1\d{10}$/, 'a store manager sees its members unmasked')
      await h.docShot(page, 'member-search')
      const memberNo = best.member_no
      const mobile = best.mobile

      await page.locator('input[name=q]').fill(mobile)
      await page.locator('[data-test=search-button]').click()
      await page.locator('.el-pagination__total').getByText(/共 1 条/).waitFor()
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()

      await page.locator('input[name=q]').fill(memberNo)
      await page.locator('input[name=q]').press('Enter')
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()
      assert.equal(await page.locator('[data-test=member-table] .el-table__body tr').count(), 1)
      await page.locator('[data-test=open-member]').first().click()

      await page.waitForURL(/#\/members\/\d+$/)
      await page.locator('[data-test=member-head]').waitFor()
      assert.equal((await page.locator('[data-test=member-head] .mono').first().innerText()).trim(), memberNo)
      const cardNo = (await page.locator('[data-test=current-card] .mono').innerText()).trim()
      assert.match(cardNo, /^\d{16}$/)
      // The care tabs list the member's tasks and contacts; cases are still to come.
      await page.locator('.el-tabs__item').getByText('关怀任务', { exact: true }).click()
      await page.locator('[data-test=member-tasks] [data-test=task-table]').waitFor()
      await page.locator('.el-tabs__item').getByText('联系记录', { exact: true }).click()
      await page.locator('[data-test=member-contacts] [data-test=contacts-table]').waitFor()
      await page.locator('.el-tabs__item').getByText('投诉工单', { exact: true }).click()
      await page.locator('.el-tab-pane:visible [data-test=coming-soon]').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').waitFor()
      await page.locator('.el-tabs__item').getByText('档案', { exact: true }).click()
      await page.waitForTimeout(200)
      await h.docShot(page, 'member')

      // The card number finds the same member.
      await page.goto(`${h.base}/#/members`)
      await page.locator('input[name=q]').fill(cardNo)
      await page.locator('[data-test=search-button]').click()
      await page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: memberNo }).waitFor()

      // An unknown name shows the empty state.
      await page.locator('input[name=q]').fill('不存在的姓名')
      await page.locator('[data-test=search-button]').click()
      await page.getByText('未找到符合条件的会员').waitFor()
    },
  },
  {
    name: 'register a member: bad mobile on the field, server error on the field, then success',
    async fn(h) {
      // An existing member's mobile, for the duplicate warning (till lookup shows it to any associate).
      const other = (await h.apiAs('admin', 'GET', '/members?limit=1&status=formal')).items[0]
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      await page.goto(`${h.base}/#/members/new`)
      await page.locator('[data-test=member-form]').waitFor()
      await page.locator('[data-field=name] input').fill('测试会员')

      // 1. A bad mobile: the client check names the mobile field, nothing is sent.
      await page.locator('[data-field=mobile] input').fill('12345')
      await page.locator('[data-test=member-submit]').click()
      const mobileError = page.locator('[data-field=mobile] .el-form-item__error')
      await mobileError.waitFor()
      assert.match(await mobileError.innerText(), /11 位/)
      await h.docShot(page, 'member-form-error')

      // 2. A registered mobile: warned before saving.
      await page.locator('[data-field=mobile] input').fill(other.mobile)
      await page.locator('[data-field=mobile] input').blur()
      await page.locator('[data-test=duplicate-warning]').getByText(other.member_no).waitFor()
      await page.locator('[data-test=member-submit]').click()
      await page.locator('.el-message-box').getByText('不能重复登记').waitFor()
      await page.locator('.el-message-box .el-button--primary').click()

      // 3. A referrer that does not exist: only the server knows; its error lands on that field.
      const mobile = newMobile()
      await page.locator('[data-field=mobile] input').fill(mobile)
      await page.locator('[data-field=mobile] input').blur()
      await page.locator('[data-field=referrer_id] input').fill('99999999')
      await page.locator('[data-test=member-submit]').click()
      const refError = page.locator('[data-field=referrer_id] .el-form-item__error')
      await refError.waitFor()
      assert.match(await refError.innerText(), /会员不存在/)
      await page.locator('[data-test=form-error]').waitFor()

      // 4. Good data: registered with a temporary card, the 360 page opens.
      await page.locator('[data-field=referrer_id] input').fill('')
      // Favourite categories offer the company's catalogue (issue 5).
      await page.locator('[data-field="preferences.categories"] .el-select').click()
      await page.locator('.el-select-dropdown:visible .el-select-dropdown__item').getByText('美妆', { exact: true }).click()
      await page.keyboard.press('Escape')
      await page.locator('[data-test=member-submit]').click()
      await page.waitForURL(/#\/members\/\d+$/)
      const created = await h.apiAs('admin', 'GET', `/members/${page.url().match(/members\/(\d+)$/)[1]}`)
      assert.deepEqual(created.preferences.categories, ['美妆'])
      await page.locator('[data-test=member-name]').getByText('测试会员').waitFor()
      assert.equal((await page.locator('[data-test=member-mobile]').innerText()).trim(), mobile)
      await page.locator('[data-test=current-card]').getByText('临时卡').waitFor()

      // Editing keeps optimistic locking: change the name and save.
      await page.locator('[data-test=edit-member]').click()
      await page.waitForURL(/\/edit$/)
      await page.locator('[data-field=name] input').fill('测试会员乙')
      await page.locator('[data-test=member-submit]').click()
      await page.waitForURL(/#\/members\/\d+$/)
      await page.locator('[data-test=member-name]').getByText('测试会员乙').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').getByText('测试会员 → 测试会员乙').waitFor()
    },
  },
  {
    name: "an associate cannot open another associate's member",
    async fn(h) {
      const me = await h.apiAs('assoc1', 'GET', '/auth/me')
      const all = await h.apiAs('admin', 'GET', '/members?limit=50&status=formal')
      const other = all.items.find((m) => m.associate_id && m.associate_id !== me.staff_id && m.mobile)
      assert.ok(other, 'a member of another associate')
      const page = await h.newPage()
      await h.login(page, 'assoc1')
      // At the till the exact mobile finds the member, masked.
      await page.goto(`${h.base}/#/members`)
      await page.locator('input[name=q]').fill(other.mobile)
      await page.locator('[data-test=search-button]').click()
      const row = page.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: other.member_no })
      await row.waitFor()
      assert.match(await row.locator('[data-masked]').innerText(), /^\d{3}\*{4}\d{4}$/)
      // Opening the file is refused with a clear message.
      await row.getByRole('button').click()
      await page.locator('[data-test=member-forbidden]').waitFor()
      await page.getByText('无权查看该会员档案').waitFor()
      // So is a deep link, and the edit page.
      await page.goto(`${h.base}/#/members/${other.id}/edit`)
      await page.getByText('该会员不在您的服务范围内').waitFor()
    },
  },
  {
    name: 'a new account must change its temporary password first',
    async fn(h) {
      const username = `ui-test-${Date.now() % 100000}`
      await h.apiAs('admin', 'POST', '/users', { username, password: 'temporary-123', role: 'hq_analyst' })
      const page = await h.newPage()
      await h.login(page, username, 'temporary-123')
      await page.waitForURL(/#\/password/)
      await page.locator('[data-test=must-change]').waitFor()
      await page.goto(`${h.base}/#/dashboard`)
      await page.waitForURL(/#\/password/)
      await page.locator('input[name=old_password]').fill('temporary-123')
      await page.locator('input[name=new_password]').fill('12345678')
      await page.locator('input[name=confirm_password]').fill('12345678')
      await page.locator('[data-test=password-submit]').click()
      await page.getByText('密码不能全为数字').waitFor()
      await page.locator('input[name=new_password]').fill('a-better-pass-1')
      await page.locator('input[name=confirm_password]').fill('a-better-pass-1')
      await page.locator('[data-test=password-submit]').click()
      await page.waitForURL(/#\/dashboard/)
      assert.deepEqual(await menuKeys(page), ['dashboard', 'care-report', 'reports'])
    },
  },
  {
    name: 'admin: settings and compliance pages load; a prospect gets a temporary card',
    async fn(h) {
      const page = await h.newPage()
      await h.login(page, 'admin')
      for (const [path, selector] of [
        ['/settings/stores', '[data-test=stores-table] .el-table__row'],
        ['/settings/staff', '[data-test=staff-table] .el-table__row'],
        ['/settings/users', '[data-test=role-matrix] .el-table__row'],
        ['/grants', '[data-test=grants-page] .el-table'],
        ['/settings/devices', '[data-test=devices-page] .el-table'],
        ['/settings/company', '[data-test=company-page] input'],
        ['/audit', '[data-test=audit-table] .el-table__row'],
        ['/destruction-records', '[data-test=destruction-page] .el-table'],
      ]) {
        await page.goto(`${h.base}/#${path}`)
        await page.locator(selector).first().waitFor()
      }
      await page.goto(`${h.base}/#/settings/users`)
      await page.locator('[data-test=users-table] .el-table__row').first().waitFor()

      const prospect = (await h.apiAs('admin', 'GET', '/members?status=prospect&limit=1')).items[0]
      assert.ok(prospect, 'the demo chain has a prospect')
      await page.goto(`${h.base}/#/members/${prospect.id}`)
      await page.locator('[data-test=member-head]').getByText('无有效卡').waitFor()
      await page.locator('[data-test=issue-card]').click()
      await page.locator('[data-test=issue-temporary]').click()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('[data-test=current-card]').getByText('临时卡').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').getByText('会员卡').first().waitFor()
    },
  },
  {
    name: 'a store manager grants a call-centre account chosen by name a member, until revoked',
    async fn(h) {
      const member = (await h.apiAs('store1', 'GET', '/members?status=formal&limit=1&offset=5')).items[0]
      const local = (d) =>
        new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).format(d)
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/grants`)
      await page.locator('[data-test=new-grant]').click()
      const dialog = page.locator('.el-dialog')
      // The grantee is picked by account name, not typed as an id.
      await dialog.locator('[data-field=grantee_id] .el-select').click()
      await page.locator('.el-select-dropdown__item').filter({ hasText: 'callcenter2' }).waitFor()
      await page.locator('.el-select-dropdown__item').filter({ hasText: 'callcenter1' }).click()
      await dialog.locator('[data-field=member_ids] input').fill(member.member_no)
      await page.locator('.el-select-dropdown__item').filter({ hasText: member.member_no }).click()
      await dialog.locator('[data-field=purpose] input').click() // close the member list
      const [start, end] = await dialog.locator('[data-field=window] input').all()
      await start.fill(local(new Date(Date.now() - 60000)))
      await end.fill(local(new Date(Date.now() + 86400000)))
      await end.press('Enter')
      await dialog.locator('[data-field=purpose] input').fill('生日回访电话')
      await page.locator('[data-test=grant-submit]').click()
      const row = page.locator('[data-test=grants-table] .el-table__row').filter({ hasText: '生日回访电话' }).first()
      await row.locator('[data-test=grant-state]').getByText('生效中').waitFor()
      // Accounts by name: the grantee and who gave it.
      assert.equal((await row.locator('[data-test=grant-grantee]').innerText()).trim(), 'callcenter1')
      assert.equal((await row.locator('[data-test=grant-giver]').innerText()).trim(), 'store1')

      // The call centre sees the granted member and may open the file.
      const cc = await h.newPage()
      await h.login(cc, 'callcenter1')
      await cc.goto(`${h.base}/#/members`)
      await cc.locator('[data-test=member-table] .el-table__body tr').filter({ hasText: member.member_no }).getByRole('button').click()
      await cc.locator('[data-test=member-head]').getByText(member.member_no).waitFor()

      // Revoked: the grant shows so, and the call centre is signed out.
      await row.locator('[data-test=revoke-grant]').click()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('[data-test=grants-table] [data-test=grant-state]').getByText('已撤销').first().waitFor()
      await cc.goto(`${h.base}/#/members`)
      await cc.waitForURL(/#\/login/)
    },
  },
  {
    name: 'a store manager registers this computer in one click; changes that would lock them out are refused',
    async fn(h) {
      const me = await h.apiAs('store1', 'GET', '/auth/me')
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.locator('[data-menu=devices]').click()
      await page.locator('[data-test=devices-help]').getByText('只能在名单内').waitFor()
      // The address the server sees for this browser, to register it.
      const here = page.locator('[data-test=this-computer]')
      await here.getByText('本机：地址 127.0.0.1').waitFor()
      assert.equal((await here.locator('[data-test=this-computer-value]').innerText()).trim(), '地址 127.0.0.1')

      await page.locator('[data-test=add-device]').click()
      const dialog = page.locator('.el-dialog')
      // A malformed address is caught on the field before anything is sent.
      await dialog.locator('[data-field=value] input').fill('10.1.2')
      await page.locator('[data-test=device-submit]').click()
      await dialog.locator('[data-field=value] .el-form-item__error').getByText('IPv4/IPv6').waitFor()
      // Only another computer's address: the manager would shut themselves
      // out, so the server refuses it on the field and adds nothing.
      await dialog.locator('[data-field=value] input').fill('10.9.9.9')
      await dialog.locator('[data-field=label] input').fill('UI测试他机')
      await page.locator('[data-test=device-submit]').click()
      await page.locator('.el-message-box').getByText('您本人').waitFor()
      await page.locator('.el-message-box .el-button--primary').click()
      const valueError = dialog.locator('[data-field=value] .el-form-item__error')
      await valueError.getByText('将不在名单内').waitFor()
      assert.match(await valueError.innerText(), /这台电脑（地址 127\.0\.0\.1）/)
      assert.deepEqual((await h.apiAs('store1', 'GET', '/devices')).items.filter((d) => d.value === '10.9.9.9'), [], 'nothing was added')
      await dialog.locator('.el-dialog__footer .el-button').first().click() // cancel
      await dialog.waitFor({ state: 'hidden' })

      // One click fills the form with this computer's address.
      await here.locator('[data-test=add-this-address]').click()
      await dialog.waitFor()
      assert.equal(await dialog.locator('[data-field=value] input').inputValue(), '127.0.0.1')
      assert.equal((await dialog.locator('[data-test=device-kind] .is-active').innerText()).trim(), '电脑地址')
      await dialog.locator('[data-field=value] .el-form-item__error').waitFor({ state: 'detached' }) // none left from before
      await dialog.locator('[data-field=label] input').fill('UI测试收银台')
      await page.locator('[data-test=device-submit]').click()
      // The store's first active entry: the manager is warned what it does.
      await page.locator('.el-message-box').getByText('您本人').waitFor()
      await page.locator('.el-message-box .el-button--primary').click()
      const row = page.locator('[data-test=devices-table] .el-table__row').filter({ hasText: 'UI测试收银台' })
      await row.locator('[data-test=device-state]').getByText('启用').waitFor()
      assert.equal((await row.locator('[data-test=device-value]').innerText()).trim(), '127.0.0.1')

      // With another computer listed, switching this one off would shut the manager out: refused.
      const other = await h.apiAs('admin', 'POST', '/devices', { store_id: me.store_id, kind: 'address', value: '10.9.9.9', label: 'UI测试他机' })
      await page.reload()
      await page.locator('[data-test=devices-table] .el-table__row').filter({ hasText: 'UI测试他机' }).waitFor()
      await row.locator('[data-test=disable-device]').click()
      await page.locator('.el-message-box').getByText('停用 127.0.0.1 后').waitFor()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator('.el-message--error').getByText('将不在名单内').waitFor()
      assert.equal((await row.locator('[data-test=device-state]').innerText()).trim(), '启用')

      // Once this is the store's last active entry, switching it off lifts the restriction.
      await h.apiAs('admin', 'PATCH', `/devices/${other.id}`, { active: false })
      await page.reload()
      await row.locator('[data-test=disable-device]').click()
      await row.locator('[data-test=device-state]').getByText('停用').waitFor()
      await row.locator('[data-test=enable-device]').waitFor()
      const entries = (await h.apiAs('store1', 'GET', '/devices')).items.filter((d) => d.label.startsWith('UI测试'))
      assert.deepEqual(entries.map((d) => [d.value, d.active]).sort(), [['10.9.9.9', false], ['127.0.0.1', false]], 'both entries are inactive on the server')
    },
  },
  {
    name: "member history names who changed the file, even an account the viewer cannot list",
    async fn(h) {
      const row = (await h.apiAs('store1', 'GET', '/members?status=formal&limit=1&offset=12')).items[0]
      const m = await h.apiAs('admin', 'GET', `/members/${row.id}`)
      const note = `总部备注 ${Date.now() % 100000}`
      await h.apiAs('admin', 'PATCH', `/members/${row.id}`, { notes: note, version: m.version })
      // A store manager may not list the admin accounts; the entry names the admin all the same.
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/members/${row.id}?tab=history`)
      const entry = page.locator('[data-test=member-history] .el-table__row').filter({ hasText: note })
      await entry.waitFor()
      assert.equal((await entry.locator('[data-test=history-by]').innerText()).trim(), 'admin')
    },
  },
  {
    name: 'member page: record and withdraw marketing consent; the data copy downloads',
    async fn(h) {
      const rows = (await h.apiAs('store1', 'GET', '/members?status=formal&limit=20&offset=20')).items
      let member = null
      for (const r of rows) {
        const m = await h.apiAs('store1', 'GET', `/members/${r.id}`)
        if (!m.preferences.marketing_opt_out) {
          member = m
          break
        }
      }
      assert.ok(member, 'a member who takes marketing')
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/members/${member.id}?tab=consents`)
      const consents = page.locator('[data-test=member-consents]')
      await consents.waitFor()
      const marketing = consents.locator('[data-purpose=marketing] [data-test=consent-state]')
      await marketing.getByText('未记录').waitFor()

      // Consent given, in store on paper.
      await consents.locator('[data-test=consent-give]').click()
      const dialog = page.locator('.el-dialog')
      await dialog.locator('[data-field=version] input').fill('2026-01')
      await dialog.locator('[data-test=consent-channel]').click()
      await page.locator('.el-select-dropdown__item').filter({ hasText: '门店纸质签署' }).click()
      await page.locator('[data-test=consent-submit]').click()
      await marketing.getByText('同意').waitFor()
      await consents.locator('[data-test=consents-table] .el-table__row').filter({ hasText: '门店纸质签署' }).filter({ hasText: 'store1' }).waitFor()
      assert.equal(await consents.locator('[data-test=marketing-stopped]').count(), 0)

      // Withdrawn by phone: marketing stops at once.
      await consents.locator('[data-test=consent-withdraw]').click()
      assert.equal(await dialog.locator('[data-field=version] input').inputValue(), '2026-01')
      await dialog.locator('[data-test=consent-channel]').click()
      await page.locator('.el-select-dropdown__item:visible').filter({ hasText: '电话' }).click()
      await page.locator('[data-test=consent-submit]').click()
      await consents.locator('[data-test=marketing-stopped]').getByText('营销已停止').waitFor()
      await marketing.getByText('撤回').waitFor()
      assert.equal(await consents.locator('[data-test=consents-table] .el-table__row').count(), 2)
      const after = await h.apiAs('store1', 'GET', `/members/${member.id}`)
      assert.equal(after.preferences.marketing_opt_out, true, 'the file is opted out of marketing')

      // The member's copy of their data, as a JSON file.
      const file = await downloadText(page, consents.locator('[data-test=data-copy]'))
      assert.match(file.name, /\.json$/)
      const copy = JSON.parse(file.text)
      assert.equal(copy.member.member_no, member.member_no)
      assert.equal(copy.consents.length, 2)
    },
  },
  {
    name: 'export: an associate has no export button; a store manager downloads CSV',
    async fn(h) {
      const assoc = await h.newPage()
      await h.login(assoc, 'assoc1')
      await assoc.goto(`${h.base}/#/members`)
      await assoc.locator('[data-test=member-table] .el-table__body tr').first().waitFor()
      await assoc.locator('[data-test=search-button]').waitFor()
      assert.equal(await assoc.locator('[data-test=export-button]').count(), 0, 'no export for an associate')

      const expected = (await h.apiAs('store1', 'GET', '/members?status=formal&limit=1')).total
      const page = await h.newPage()
      await h.login(page, 'store1')
      await page.goto(`${h.base}/#/members?status=formal`)
      await page.locator('.el-pagination__total').getByText(`共 ${expected} 条`).waitFor()
      const file = await downloadText(page, page.locator('[data-test=export-button]'))
      assert.match(file.name, /\.csv$/)
      const lines = file.text.replace(/^\uFEFF/, '').trim().split(/\r?\n/)
      assert.match(lines[0], /^会员号,姓名,/, 'a header row')
      assert.match(lines[1], /^M\d{8},/, 'then the members')
      assert.equal(lines.length - 1, expected, 'one line per member of the filter')
      await page.locator('.el-message').getByText(`已导出 ${expected.toLocaleString()} 条会员记录`).waitFor()
    },
  },
  {
    name: 'dashboard shows the new members of this month',
    async fn(h) {
      const expected = (await h.apiAs('store1', 'GET', `/members?joined_from=${monthStart()}&limit=1`)).total
      const page = await h.newPage()
      await h.login(page, 'store1')
      const kpi = page.locator('[data-kpi=new-this-month] [data-test=kpi-value]')
      await kpi.waitFor()
      assert.equal((await kpi.innerText()).trim(), expected.toLocaleString())
      // Member sales come from the report (R2); figures without an API yet say so.
      await page.locator('[data-kpi=sales-this-month] [data-test=kpi-value]').waitFor()
      await page.locator('[data-kpi=open-tasks] [data-test=kpi-pending]').getByText('随任务模块上线').waitFor()
    },
  },
  {
    name: "admin: change a member's status with a reason, then erase the file after typing its number",
    async fn(h) {
      const member = (await h.apiAs('admin', 'GET', '/members?status=formal&store_id=8&limit=1&offset=3')).items[0]
      const page = await h.newPage()
      await h.login(page, 'admin')
      await page.goto(`${h.base}/#/members/${member.id}`)
      const head = page.locator('[data-test=member-head]')
      await head.getByText(member.member_no).waitFor()

      // A status change needs a reason; the lifecycle offers only allowed moves.
      await page.locator('[data-test=member-admin]').click()
      await page.locator('[data-test=action-status]').click()
      const dialog = page.locator('.el-dialog:visible')
      assert.deepEqual(await dialog.locator('[data-test=status-choice] .el-radio').allInnerTexts(), ['已停用', '已关闭'])
      await dialog.locator('[data-test=status-choice] .el-radio').filter({ hasText: '已停用' }).click()
      await dialog.locator('[data-test=status-submit]').click()
      await dialog.locator('[data-field=reason] .el-form-item__error').getByText('此项为必填项').waitFor()
      await dialog.locator('[data-field=reason] textarea').fill('会员申请暂停')
      await dialog.locator('[data-test=status-submit]').click()
      await head.locator('.el-tag').getByText('已停用').waitFor()
      await page.locator('.el-tabs__item').getByText('变更记录', { exact: true }).click()
      await page.locator('[data-test=member-history]').getByText('会员申请暂停').waitFor()

      // Erasure: the button stays off until the member number is typed.
      await page.locator('[data-test=member-admin]').click()
      await page.locator('[data-test=action-erase]').click()
      const erase = page.locator('.el-dialog:visible')
      await erase.locator('[data-field=reason] input').fill('会员本人申请删除个人信息')
      await erase.locator('[data-field=confirm_no] input').fill('M00000000')
      assert.ok(await erase.locator('[data-test=erase-submit]').isDisabled(), 'a wrong number keeps the button off')
      await erase.locator('[data-field=confirm_no] input').fill(member.member_no)
      await erase.locator('[data-test=erase-submit]').click()
      await page.getByText('该档案已按个人信息保护要求注销').waitFor()
      await head.locator('.el-tag').getByText('已注销').waitFor()
      assert.equal(await page.locator('[data-test=member-admin]').count(), 0, 'no more actions on an erased file')
    },
  },
  {
    name: 'pages fit 1366x768 and a 768px tablet; English switch works',
    timeout: 40,
    async fn(h) {
      const memberId = (await h.apiAs('store1', 'GET', '/members?limit=1')).items[0].id
      const page = await h.newPage()
      await h.login(page, 'store1')
      for (const [width, height] of [
        [1366, 768],
        [768, 1024],
      ]) {
        await page.setViewportSize({ width, height })
        await page.goto(`${h.base}/#/dashboard`)
        await page.locator('[data-chart=by-associate] canvas').waitFor()
        await noHorizontalOverflow(page, `dashboard at ${width}`)
        for (const path of ['/members', `/members/${memberId}`, '/members/new']) {
          await page.goto(`${h.base}/#${path}`)
          await page.locator('.page').first().waitFor()
          await page.waitForTimeout(150)
          await noHorizontalOverflow(page, `${path} at ${width}`)
        }
      }
      // The side menu collapses to icons on a tablet.
      assert.ok((await page.locator('[data-test=nav]').getAttribute('class')).includes('el-menu--collapse'))
      await page.goto(`${h.base}/#/members/${memberId}`)
      await page.locator('[data-test=member-head]').waitFor()
      await h.docShot(page, 'member-tablet')

      await page.setViewportSize({ width: 1366, height: 768 })
      await h.logout(page)
      await h.login(page, 'admin')
      await page.locator('[data-test=lang-switch]').click()
      await page.locator('.el-dropdown-menu__item[data-locale=en]').click()
      await page.locator('[data-menu=members]').getByText('Member search').waitFor()
      await page.goto(`${h.base}/#/settings/users`)
      await page.locator('[data-test=role-matrix]').getByText('Regional supervisor').waitFor()
    },
  },
]
