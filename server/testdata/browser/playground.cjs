// The GraphQL playground as a person uses it: opening /playground without a
// session leads to the login form, signing in leads back, GraphiQL renders,
// and a query and a mutation (which needs the CSRF header) return data.
// Env: QUIRE_USER, QUIRE_PASSWORD.
'use strict';

// editorValue reads a GraphiQL editor (CodeMirror 5) through its API.
async function editorValue(page, selector) {
  return page.$eval(selector, (el) => el.CodeMirror.getValue());
}

async function runQuery(page, query) {
  await page.$eval('.graphiql-query-editor .CodeMirror', (el, q) => el.CodeMirror.setValue(q), query);
  await page.click('.graphiql-execute-button');
  const handle = await page.waitForFunction(() => {
    const el = document.querySelector('.graphiql-response .CodeMirror');
    const text = el && el.CodeMirror.getValue();
    return text && text.trim().startsWith('{') ? text : false;
  });
  return JSON.parse(await handle.jsonValue());
}

module.exports = async ({ page, baseURL, env, log, assert }) => {
  const resp = await page.goto('/playground');
  const login = new URL(page.url());
  assert.strictEqual(login.pathname, '/accounts/login/', 'no session: /playground should lead to the login form');
  assert.strictEqual(login.searchParams.get('next'), '/playground');
  assert.ok(resp.ok(), 'login form answers ' + resp.status());

  await page.fill('#username', env.QUIRE_USER);
  await page.fill('#password', env.QUIRE_PASSWORD);
  await Promise.all([page.waitForURL(baseURL + '/playground'), page.click('button[type=submit]')]);
  log('signed in, at', page.url());

  // Every GraphQL POST must echo the CSRF cookie in X-CSRFToken.
  const posts = [];
  page.on('request', (req) => {
    if (req.method() === 'POST' && new URL(req.url()).pathname === '/graphql') posts.push(req.headers()['x-csrftoken'] || '');
  });
  const csrfCookie = (await page.context().cookies()).find((c) => c.name === (env.QUIRE_CSRF_COOKIE || 'csrftoken'));
  assert.ok(csrfCookie, 'no CSRF cookie after signing in');

  await page.waitForSelector('.graphiql-container .graphiql-query-editor .CodeMirror');
  // The schema arrives by introspection; the docs explorer button appears with it.
  await page.waitForSelector('.graphiql-execute-button');

  // The parts that add elements or styles at run time: the docs explorer
  // (schema by introspection), both dialogs (they add <style> elements,
  // allowed by the page's nonce) and autocompletion. A CSP violation on
  // the way fails the run (runner.cjs).
  await page.click('button[aria-label="Show Documentation Explorer"]');
  await page.waitForSelector('.graphiql-doc-explorer >> text=Query');
  for (const dialog of ['Open settings dialog', 'Open short keys dialog']) {
    await page.click(`button[aria-label="${dialog}"]`);
    await page.waitForSelector('.graphiql-dialog');
    await page.keyboard.press('Escape');
    await page.waitForSelector('.graphiql-dialog', { state: 'detached' });
  }
  await page.$eval('.graphiql-query-editor .CodeMirror', (el) => {
    el.CodeMirror.setValue('{ ');
    el.CodeMirror.focus();
    el.CodeMirror.setCursor(0, 2);
  });
  await page.keyboard.press('Control+Space');
  await page.waitForSelector('.CodeMirror-hint >> text=me');
  await page.keyboard.press('Escape');

  const me = await runQuery(page, '{ me { username } }');
  assert.deepStrictEqual(me, { data: { me: { username: env.QUIRE_USER } } });

  const name = 'playground ' + Date.now();
  const created = await runQuery(page, `mutation { createTag(input: {name: "${name}"}) { id name } }`);
  assert.ok(!created.errors, 'mutation errors: ' + JSON.stringify(created.errors));
  assert.strictEqual(created.data.createTag.name, name);

  assert.ok(posts.length >= 2, 'GraphQL requests seen: ' + posts.length);
  for (const token of posts) assert.strictEqual(token, csrfCookie.value, 'X-CSRFToken differs from the CSRF cookie');

  const headers = await page.evaluate(async () => {
    const r = await fetch(location.href);
    return { csp: r.headers.get('content-security-policy'), nosniff: r.headers.get('x-content-type-options') };
  });
  return { me: me.data.me, tag: created.data.createTag, headers };
};
