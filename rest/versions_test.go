package rest_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/rest"
)

// withAPI serves the env's archive through a REST layer built with cfg
// changed (default version, links); the resolvers, and so the cache of
// rendered pages, are shared with e's.
func (e *env) withAPI(change func(c *rest.Config)) *env {
	c := rest.Config{Resolver: e.res, Auth: restAuth{e.au}, Location: e.res.Location, Version: "0.1.0"}
	change(&c)
	api := rest.New(c)
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Mount(rest.Prefix, api.APIHandler())
	n := *e
	n.api, n.h = api, r
	return &n
}

func accept(v string) opt {
	return header("Accept", "application/json; version="+v)
}

// servedAs tells which API version answered: the family from
// X-Api-Version, then the shapes (v9's `all`, v2's tag `color`, 0.9's
// `tags_id`). ng URL: /api/tags/ and /api/documents/; ngx URL:
// /api/tasks/ (v9 a plain array, v10 a page). 406 is -406.
func servedAs(t *testing.T, e *env, ngx bool, opts ...opt) int {
	t.Helper()
	if ngx {
		rec := e.do("GET", "/api/tasks/", nil, opts...)
		if rec.Code == 406 {
			return -406
		}
		if rec.Code != 200 || rec.Header().Get("X-Api-Version") != "10" || rec.Header().Get("X-Version") != "3.0.5" {
			t.Fatalf("tasks: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
		if strings.HasPrefix(rec.Body.String(), "[") {
			return 9
		}
		return 10
	}
	rec := e.do("GET", "/api/tags/", nil, opts...)
	if rec.Code == 406 {
		return -406
	}
	var tags struct {
		All     []int            `json:"all"`
		Results []map[string]any `json:"results"`
	}
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &tags) != nil || len(tags.Results) == 0 {
		t.Fatalf("tags: %d %s", rec.Code, rec.Body)
	}
	switch h := rec.Header(); {
	case h.Get("X-Api-Version") == "10" && h.Get("X-Version") == "3.0.5":
		if tags.All != nil {
			return 9
		}
		return 10
	case h.Get("X-Api-Version") != "2" || h.Get("X-Version") != "1.5.0":
		t.Fatalf("ng headers: %v", h)
	}
	if tags.All != nil {
		t.Fatalf("an ng answer with all: %s", rec.Body)
	}
	var docs struct {
		Results []map[string]any `json:"results"`
	}
	e.get("/api/documents/", &docs, opts...)
	if _, ok := docs.Results[0]["tags_id"]; ok {
		return 0
	}
	if _, ok := tags.Results[0]["color"]; ok {
		return 2
	}
	return 1
}

// TestVersionMatrix: the version a request is served in, for each asked
// version × an URL both contracts have and one only paperless-ngx has ×
// the server's default (NGX.md §0 D1, D2).
func TestVersionMatrix(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		for _, def := range []string{"1", "0", "2", "9", "10"} {
			e := e.withAPI(func(c *rest.Config) { c.DefaultVersion = def })
			d := map[string]int{"1": 1, "0": 0, "2": 2, "9": 9, "10": 10}[def]
			for _, c := range []struct {
				asked   string // "" sends no version
				ng, ngx int
			}{
				{"", d, 10},
				{"1", 1, 9}, {"2", 2, 9},
				{"3", 9, 9}, {"5", 9, 9}, {"8", 9, 9},
				{"9", 9, 9}, {"10", 10, 10},
				{"11", -406, -406}, {"10.0", -406, -406}, {"0", -406, -406},
				{"abc", -406, -406}, {"", d, 10},
			} {
				opts := []opt{}
				if c.asked != "" {
					opts = append(opts, accept(c.asked))
				}
				if got := servedAs(t, e, false, opts...); got != c.ng {
					t.Errorf("default %s, version %q, ng URL: served as %d, want %d", def, c.asked, got, c.ng)
				}
				if got := servedAs(t, e, true, opts...); got != c.ngx {
					t.Errorf("default %s, version %q, ngx URL: served as %d, want %d", def, c.asked, got, c.ngx)
				}
			}
		}
		// The version comes from the matched media range only.
		if got := servedAs(t, e, false, header("Accept", "application/json, */*; version=10")); got != 1 {
			t.Errorf("*/*; version=10 named a version: %d", got)
		}
		for h, want := range map[string]int{
			"text/plain, application/json; version=9; q=0.5":     9,
			"Application/JSON; Version=\"10\"":                   10,
			"application/json; version":                          1, // no value: no version (Django)
			"application/json; version=":                         -406,
			"application/json; version=2, text/html; version=10": 2,
			"*/*; version=10":                                    1, // a wildcard names no version (NGX.md §2)
			"application/*; version=9":                           1,
			"*/*; version=abc":                                   1,
		} {
			if got := servedAs(t, e, false, header("Accept", h)); got != want {
				t.Errorf("Accept %q: served as %d, want %d", h, got, want)
			}
		}
	})
}

// TestVersionHeaders: per family on authenticated answers (errors too);
// none on anonymous ones, 401 and 406; the 401 challenge per family.
func TestVersionHeaders(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		none := func(what string, h http.Header) {
			t.Helper()
			if h.Get("X-Api-Version") != "" || h.Get("X-Version") != "" {
				t.Errorf("%s: version headers %v", what, h)
			}
		}
		family := func(what string, h http.Header, api, version string) {
			t.Helper()
			if h.Get("X-Api-Version") != api || h.Get("X-Version") != version {
				t.Errorf("%s: X-Api-Version %q X-Version %q, want %s %s", what, h.Get("X-Api-Version"), h.Get("X-Version"), api, version)
			}
		}
		for _, v := range []string{"1", "2"} {
			family("v"+v+" 404", e.do("GET", "/api/tags/999/", nil, accept(v)).Header(), "2", "1.5.0")
		}
		for _, v := range []string{"3", "9", "10"} {
			family("v"+v+" 404", e.do("GET", "/api/tags/999/", nil, accept(v)).Header(), "10", "3.0.5")
			family("v"+v+" root", e.do("GET", "/api/", nil, accept(v)).Header(), "10", "3.0.5")
		}
		family("v10 session", e.do("GET", "/api/tags/", nil, accept("10"), e.sessionOpt(false)).Header(), "10", "3.0.5")

		rec := e.do("GET", "/api/", nil, anon, accept("10"))
		if rec.Code != 200 {
			t.Fatalf("anonymous root: %d", rec.Code)
		}
		none("anonymous v10 root", rec.Header())
		rec = e.do("GET", "/api/schema/", nil, anon, accept("10"))
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("anonymous v10 schema: %d %v", rec.Code, rec.Header())
		}
		none("anonymous v10 schema", rec.Header())

		for _, c := range []struct {
			name      string
			opts      []opt
			challenge string
		}{
			{"v1 none", []opt{anon}, `Basic realm="api"`},
			{"v1 wrong basic", []opt{basic("admin", "nope")}, `Basic realm="api"`},
			{"v10 none", []opt{anon, accept("10")}, "Token"},
			{"v5 none", []opt{anon, accept("5")}, "Token"},
			{"v10 wrong token", []opt{anon, accept("10"), header("Authorization", "Token 0123456789")}, "Token"},
			{"v10 wrong basic", []opt{basic("admin", "nope"), accept("10")}, `Basic realm="api"`},
			{"ngx-only URL, no version", []opt{anon}, "Token"},
		} {
			path := "/api/tags/"
			if strings.HasPrefix(c.name, "ngx-only") {
				path = "/api/tasks/"
			}
			rec := e.do("GET", path, nil, c.opts...)
			if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != c.challenge {
				t.Errorf("%s: %d, WWW-Authenticate %q, want %q", c.name, rec.Code, rec.Header().Get("WWW-Authenticate"), c.challenge)
			}
			none(c.name, rec.Header())
		}

		// 406 comes before authentication: wrong credentials still 406.
		for _, o := range []opt{anon, basic("admin", "nope"), basic("admin", adminPassword)} {
			rec := e.do("GET", "/api/tags/", nil, o, accept("10.0"))
			if rec.Code != 406 || strings.TrimSpace(rec.Body.String()) != `{"detail":"Invalid version in \"Accept\" header."}` {
				t.Errorf("10.0: %d %s", rec.Code, rec.Body)
			}
			none("406", rec.Header())
		}
	})
}

// TestVersionPageCache: list pages rendered for one version or origin
// are never served to another (the cache key names both).
func TestVersionPageCache(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		bodies := map[string]string{}
		for _, v := range []string{"1", "2", "9", "10", "1", "9"} {
			body := string(e.want(e.do("GET", "/api/tags/?page_size=1", nil, accept(v)), 200))
			if prev, ok := bodies[v]; ok && prev != body {
				t.Errorf("version %s answered differently the second time", v)
			}
			bodies[v] = body
		}
		for a, ba := range bodies {
			for b, bb := range bodies {
				if a != b && ba == bb {
					t.Errorf("versions %s and %s got the same page: %s", a, b, ba)
				}
			}
		}
		// Same path, default 0 vs 1 on another REST layer sharing the cache.
		zero := e.withAPI(func(c *rest.Config) { c.DefaultVersion = "0" })
		b0 := string(zero.want(zero.do("GET", "/api/documents/", nil), 200))
		b1 := string(e.want(e.do("GET", "/api/documents/", nil), 200))
		if b0 == b1 || !strings.Contains(b0, `"tags_id"`) || strings.Contains(b1, `"tags_id"`) {
			t.Errorf("default 0 and 1 share a page:\n%s\n%s", b0, b1)
		}
	})
}

// TestLinks: QUIRE_URL fixes absolute links; X-Forwarded-* count only
// from trusted proxies; otherwise the request's own host.
func TestLinks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		e.seed()
		next := func(e *env, opts ...opt) string {
			t.Helper()
			var p page[map[string]any]
			e.get("/api/tags/?page_size=1", &p, opts...)
			if p.Next == nil {
				t.Fatal("no next link")
			}
			var root map[string]string
			e.get("/api/", &root, opts...)
			if !strings.HasPrefix(root["tags"], strings.SplitN(*p.Next, "/api/", 2)[0]+"/api/") {
				t.Errorf("root links %q and next %q differ in origin", root["tags"], *p.Next)
			}
			return *p.Next
		}
		fwd := []opt{header("X-Forwarded-Proto", "https"), header("X-Forwarded-Host", "proxy.example, inner.example")}
		// httptest requests come from 192.0.2.1 for host testserver.
		if got := next(e, fwd...); got != "http://testserver/api/tags/?page=2&page_size=1" {
			t.Errorf("no setting: %s", got)
		}
		fixed := e.withAPI(func(c *rest.Config) {
			c.Links, _ = rest.ParseLinks("https://Archive.example:8443/", "192.0.2.0/24")
		})
		if got := next(fixed, fwd...); got != "https://archive.example:8443/api/tags/?page=2&page_size=1" {
			t.Errorf("QUIRE_URL: %s", got)
		}
		trusted := e.withAPI(func(c *rest.Config) { c.Links, _ = rest.ParseLinks("", "10.0.0.0/8, 192.0.2.1") })
		if got := next(trusted, fwd...); got != "https://proxy.example/api/tags/?page=2&page_size=1" {
			t.Errorf("trusted proxy: %s", got)
		}
		if got := next(trusted); got != "http://testserver/api/tags/?page=2&page_size=1" {
			t.Errorf("trusted proxy without forwarded headers: %s", got)
		}
		bad := []opt{header("X-Forwarded-Proto", "gopher"), header("X-Forwarded-Host", "evil.example/path?x")}
		if got := next(trusted, bad...); got != "http://testserver/api/tags/?page=2&page_size=1" {
			t.Errorf("trusted proxy, unusable headers: %s", got)
		}
		untrusted := e.withAPI(func(c *rest.Config) { c.Links, _ = rest.ParseLinks("", "10.0.0.0/8,::1") })
		if got := next(untrusted, fwd...); got != "http://testserver/api/tags/?page=2&page_size=1" {
			t.Errorf("untrusted peer: %s", got)
		}
	})
}

func TestParseLinks(t *testing.T) {
	l, err := rest.ParseLinks(" https://a.example ", "10.1.2.3, 10.0.0.0/8,::ffff:192.0.2.1, 2001:db8::/32")
	if err != nil || l.URL != "https://a.example" || len(l.TrustedProxies) != 4 ||
		l.TrustedProxies[2] != netip.MustParsePrefix("192.0.2.1/32") {
		t.Fatalf("%+v %v", l, err)
	}
	for _, c := range []struct{ url, proxies, want string }{
		{"ftp://a.example", "", "is not an http(s)://host[:port] URL"},
		{"https://", "", "is not an http(s)://host[:port] URL"},
		{"https://a.example/paperless", "", "give only scheme and host"},
		{"https://user@a.example", "", "give only scheme and host"},
		{"", "10.0.0.0/33", "is not an IP address or CIDR prefix"},
		{"", "proxy.local", "is not an IP address or CIDR prefix"},
	} {
		if _, err := rest.ParseLinks(c.url, c.proxies); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q %q: %v", c.url, c.proxies, err)
		}
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]int{"": 1, "0": 0, "1": 1, "2": 2, "9": 9, "10": 10, " 10 ": 10} {
		if got, err := rest.ParseVersion(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"3", "8", "11", "10.0", "v1", "-1"} {
		if _, err := rest.ParseVersion(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// TestSchemaPerVersion: /api/schema/ answers 200 JSON for every version
// and shows that version's routes and envelopes.
func TestSchemaPerVersion(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		type doc struct {
			Paths      map[string]any `json:"paths"`
			Components struct {
				Schemas map[string]struct {
					Properties map[string]any `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		for i, c := range []struct {
			opts          []opt
			tasks, hasAll bool
		}{
			{nil, false, false},
			{[]opt{anon}, false, false},
			{[]opt{accept("1")}, false, false},
			{[]opt{accept("2")}, false, false},
			{[]opt{accept("5")}, true, true},
			{[]opt{accept("9")}, true, true},
			{[]opt{accept("10")}, true, false},
			{[]opt{anon, accept("10")}, true, false},
		} {
			rec := e.do("GET", "/api/schema/", nil, c.opts...)
			var d doc
			if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
				json.Unmarshal(rec.Body.Bytes(), &d) != nil {
				t.Fatalf("%v: %d %v", c.opts, rec.Code, rec.Header())
			}
			if _, ok := d.Paths["/api/tasks/"]; ok != c.tasks {
				t.Errorf("schema (case %d): /api/tasks/ listed %v", i, ok)
			}
			if _, ok := d.Paths["/api/tags/"]; !ok {
				t.Errorf("/api/tags/ missing")
			}
			if _, ok := d.Components.Schemas["TagPage"].Properties["all"]; ok != c.hasAll {
				t.Errorf("case %d: TagPage all %v, want %v", i, ok, c.hasAll)
			}
		}
		var d doc
		e.get("/api/schema/?version=10", &d)
		if _, ok := d.Paths["/api/users/"]; !ok {
			t.Errorf("?version=10 without /api/users/")
		}
		var d1 doc
		e.get("/api/schema/?version=1", &d1, accept("10"))
		if _, ok := d1.Paths["/api/users/"]; ok {
			t.Errorf("?version=1 lists /api/users/")
		}
		e.want(e.do("GET", "/api/schema/?version=10.0", nil), 400)
	})
}

// TestSearchErrorText: a bad query's 400 carries the message as it is.
func TestSearchErrorText(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		rec := e.do("GET", "/api/search/?query=(invoice", nil)
		if got := e.wantText(rec); !strings.Contains(got, "unbalanced '(' (missing ')')") || strings.Contains(got, "&#") {
			t.Errorf("message %q", got)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("headers %v", rec.Header())
		}
	})
}
