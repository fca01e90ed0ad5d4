// Starts GraphiQL on the Quire playground page. The page (index.html) names
// the GraphQL endpoint and the CSRF cookie in <meta> tags; every request
// carries the X-CSRFToken header taken from that cookie, so mutations work
// with a session cookie.
(function () {
  'use strict';
  function meta(name) {
    var el = document.querySelector('meta[name="' + name + '"]');
    return el ? el.getAttribute('content') : '';
  }
  var endpoint = meta('quire-graphql-endpoint') || '/graphql';
  // GraphiQL's dialogs add <style> elements (scroll locking); the library
  // that makes them sets this nonce on them, which the page's CSP allows.
  window.__webpack_nonce__ = meta('quire-style-nonce');
  var csrfCookie = meta('quire-csrf-cookie') || 'csrftoken';

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(';') : [];
    for (var i = 0; i < parts.length; i++) {
      var kv = parts[i].trim();
      var eq = kv.indexOf('=');
      if (eq > 0 && kv.slice(0, eq) === name) {
        return decodeURIComponent(kv.slice(eq + 1));
      }
    }
    return '';
  }

  function csrfFetch(url, init) {
    init = Object.assign({}, init);
    var headers = new Headers(init.headers || {});
    var token = cookie(csrfCookie);
    if (token && !headers.has('X-CSRFToken')) {
      headers.set('X-CSRFToken', token);
    }
    init.headers = headers;
    init.credentials = 'same-origin';
    return window.fetch(url, init);
  }

  var fetcher = GraphiQL.createFetcher({ url: endpoint, fetch: csrfFetch });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultQuery: '# Quire GraphQL. Ctrl-Enter runs the query.\n{\n  me {\n    username\n  }\n}\n'
  }));
})();
