// The paperless-ng 1.5.0 web UI (../shared/fixtures/paperless-ng-ui/1.5.0,
// served by Quire's --ui-dir) as a person uses it, page by page. Env:
// QUIRE_USER, QUIRE_PASSWORD, UI_FIXTURE (JSON: what the Go test seeded —
// see ui_e2e_test.go), UI_UPLOAD (a PDF to upload). Returns the steps and
// the ids the Go side checks afterwards.
'use strict';

const { watch, steps } = require('./paperless-ui.cjs');

module.exports = async ({ page, baseURL, env, log, assert }) => {
  const fx = JSON.parse(env.UI_FIXTURE);
  const w = await watch(page, log);
  const { step, results } = steps(page, w, log, env.BROWSER_KEEP_GOING === '1');
  const out = { steps: results };
  const docCount = fx.documents.length;
  const countText = (n) => (n === 1 ? 'One document' : `${n} documents`);
  // The list's "N documents" line, once the list has loaded.
  const waitCount = (n) => page.waitForSelector(`app-document-list p >> text=${countText(n)}`);

  await step('log in through /accounts/login/', async () => {
    await page.goto('/dashboard');
    assert.strictEqual(new URL(page.url()).pathname, '/accounts/login/', 'no session: the UI should lead to the login form');
    await page.fill('#username', env.QUIRE_USER);
    await page.fill('#password', env.QUIRE_PASSWORD);
    await Promise.all([page.waitForURL(baseURL + '/dashboard'), page.click('button[type=submit]')]);
    await page.waitForSelector(`app-statistics-widget >> text=Total documents: ${fx.documents.length}`);
  });

  await step('document list: table, small cards, large cards', async () => {
    await page.goto('/documents');
    await waitCount(docCount);
    await page.click('app-document-list label:has(input[value=details])');
    await page.waitForSelector('app-document-list table tbody tr');
    assert.strictEqual(await page.locator('app-document-list table tbody tr').count(), docCount, 'table rows');
    for (const d of fx.documents) await page.waitForSelector(`app-document-list table >> text=${d.title}`);
    await page.click('app-document-list label:has(input[value=smallCards])');
    await page.waitForSelector('app-document-card-small');
    assert.strictEqual(await page.locator('app-document-card-small').count(), docCount, 'small cards');
    await page.click('app-document-list label:has(input[value=largeCards])');
    await page.waitForSelector('app-document-card-large');
    assert.strictEqual(await page.locator('app-document-card-large').count(), docCount, 'large cards');
    await page.click('app-document-list label:has(input[value=details])');
    await page.waitForSelector('app-document-list table tbody tr');
  });

  await step('filter by tag and by correspondent', async () => {
    await page.goto('/documents');
    await waitCount(docCount);
    await page.click('#dropdownTags');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('tags__id__all=' + fx.tag.id) && r.status() === 200),
      page.click(`app-toggleable-dropdown-button >> text=${fx.tag.name}`),
    ]);
    await waitCount(fx.tag.documents.length);
    for (const t of fx.tag.documents) await page.waitForSelector(`app-document-list table >> text=${t}`);
    await page.keyboard.press('Escape');
    await page.click('text=Reset filters');
    await waitCount(docCount);
    await page.click('#dropdownCorrespondent');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('correspondent__id=' + fx.correspondent.id) && r.status() === 200),
      page.click(`app-toggleable-dropdown-button >> text=${fx.correspondent.name}`),
    ]);
    await waitCount(fx.correspondent.documents.length);
    for (const t of fx.correspondent.documents) await page.waitForSelector(`app-document-list table >> text=${t}`);
    await page.keyboard.press('Escape');
    await page.click('text=Reset filters');
    await waitCount(docCount);
  });

  await step('open a document, set its tags and correspondent, save', async () => {
    await page.goto('/documents');
    await waitCount(docCount);
    const d = fx.edit;
    await page.click(`app-document-list table a:text-is("${d.title}")`);
    await page.waitForURL(baseURL + '/documents/' + d.id);
    await page.waitForSelector('app-document-detail app-input-text input');
    assert.strictEqual(await page.inputValue('app-document-detail app-input-text input'), d.title);
    // Correspondent: the select titled "Correspondent".
    const corr = page.locator('app-input-select:has(label:text-is("Correspondent")) ng-select');
    await corr.click();
    await corr.locator('input').fill(d.correspondent);
    await page.click(`ng-dropdown-panel .ng-option:has-text("${d.correspondent}")`);
    // Tags: add one, remove none.
    const tags = page.locator('app-input-tags ng-select');
    await tags.click();
    await tags.locator('input').fill(d.addTag);
    await page.click(`ng-dropdown-panel .ng-option:has-text("${d.addTag}")`);
    await page.keyboard.press('Escape');
    const [put] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && new URL(r.url()).pathname === `/api/documents/${d.id}/`),
      page.click('app-document-detail button[type=submit]'),
    ]);
    assert.strictEqual(put.status(), 200, 'PUT answers ' + put.status());
    await page.waitForURL(baseURL + '/documents');
    // The list shows the new correspondent and tag on the row.
    const row = page.locator(`app-document-list table tr:has(a:text-is("${d.title}"))`);
    await row.locator(`text=${d.correspondent}`).waitFor();
    await row.locator(`app-tag >> text=${d.addTag}`).waitFor();
  });

  await step('full-text search with autocomplete and highlights', async () => {
    await page.goto('/documents');
    await waitCount(docCount);
    const box = page.locator('app-root input[aria-label=Search]');
    await box.click();
    // Autocomplete: typing a prefix offers the word.
    await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/search/autocomplete/' && r.status() === 200),
      box.type(fx.search.prefix, { delay: 30 }),
    ]);
    const option = page.locator(`ngb-typeahead-window button:has-text("${fx.search.word}")`);
    await option.waitFor();
    await option.click();
    assert.strictEqual((await box.inputValue()).trim(), fx.search.word, 'autocomplete fills the word in');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('query=' + fx.search.word) && r.status() === 200),
      box.press('Enter'),
    ]);
    await waitCount(fx.search.documents.length);
    // The large cards show the highlighted fragment of each hit.
    await page.click('app-document-list label:has(input[value=largeCards])');
    await page.waitForSelector('app-document-card-large');
    const hit = page.locator(`app-document-card-large:has-text("${fx.search.documents[0]}") span.match`).first();
    await hit.waitFor();
    assert.strictEqual((await hit.textContent()).toLowerCase(), fx.search.word.toLowerCase(), 'highlighted word');
    await page.click('app-document-list label:has(input[value=details])');
    await page.click('text=Reset filters');
    await waitCount(docCount);
  });

  // The tag, correspondent and document type pages: create one through the
  // dialog, then rename it through the edit dialog.
  const manage = [
    { what: 'tags', path: '/tags', dialog: 'app-tag-edit-dialog' },
    { what: 'correspondents', path: '/correspondents', dialog: 'app-correspondent-edit-dialog' },
    { what: 'document types', path: '/documenttypes', dialog: 'app-document-type-edit-dialog' },
  ];
  out.created = {};
  for (const m of manage) {
    await step(`${m.what}: create and edit through the dialogs`, async () => {
      await page.goto(m.path);
      await page.waitForSelector('app-page-header button:text-is("Create")');
      await page.click('app-page-header button:text-is("Create")');
      const name = `UI ${m.what} ${Date.now() % 100000}`;
      const nameInput = page.locator(`${m.dialog} app-input-text:has(label:text-is("Name")) input`);
      await nameInput.fill(name);
      const [post] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST'),
        page.click(`${m.dialog} button[type=submit]`),
      ]);
      assert.strictEqual(post.status(), 201, 'create answers ' + post.status());
      await page.waitForSelector(m.dialog, { state: 'detached' });
      const row = page.locator(`table tbody tr:has(td:text-is("${name}"))`);
      await row.waitFor();
      await row.locator('button:has-text("Edit")').click();
      await nameInput.fill(name + ' renamed');
      const [put] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'PUT'),
        page.click(`${m.dialog} button[type=submit]`),
      ]);
      assert.strictEqual(put.status(), 200, 'edit answers ' + put.status());
      await page.waitForSelector(`table tbody td:text-is("${name} renamed")`);
      out.created[m.what] = name + ' renamed';
    });
  }

  await step('upload a PDF on the dashboard and wait until it is consumed', async () => {
    await page.goto('/dashboard');
    await page.waitForSelector('app-upload-file-widget');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/documents/post_document/'),
      page.setInputFiles('app-upload-file-widget input[type=file]', env.UI_UPLOAD),
    ]);
    assert.strictEqual(resp.status(), 200, 'post_document answers ' + resp.status());
    // The consumer's progress arrives over /ws/status/; once done, the
    // alert offers to open the new document.
    const open = page.locator('app-upload-file-widget button:has-text("Open document")');
    await open.waitFor({ timeout: 40000 });
    await open.click();
    await page.waitForURL(/\/documents\/\d+$/);
    out.uploaded = Number(new URL(page.url()).pathname.split('/')[2]);
    await page.waitForSelector('app-document-detail app-input-text input');
  });

  await step('logs', async () => {
    await page.goto('/logs');
    await page.waitForSelector('app-logs a:text-is("paperless.log")');
    await page.waitForSelector('.log-container p');
  });

  const failed = results.filter((s) => !s.ok);
  if (failed.length) {
    const e = new Error('failed steps: ' + failed.map((s) => s.name).join('; '));
    e.steps = results;
    throw e;
  }
  return out;
};
