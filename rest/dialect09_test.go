package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/quirehq/quire/rest"
	docfixture "github.com/quirehq/quire/server/consume/fixture"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

// withDefaultVersion serves e's store through a REST layer whose
// requests without a version get def (QUIRE_DEFAULT_API_VERSION).
func (e *env) withDefaultVersion(def string) *env {
	e.t.Helper()
	loc, err := time.LoadLocation(storetest.Zone)
	if err != nil {
		e.t.Fatal(err)
	}
	api := rest.New(rest.Config{Resolver: e.res, Auth: restAuth{e.au}, Location: loc, Version: "0.1.0", DefaultVersion: def})
	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Mount(rest.Prefix, api.APIHandler())
	r.Mount("/accounts", api.AccountsHandler())
	api.MountRoot(r)
	c := *e
	c.api, c.h = api, r
	return &c
}

// keysOf lists the keys of a JSON object in the order they are written.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func wantObjectKeys(t *testing.T, what string, raw []byte, want ...string) {
	t.Helper()
	if got := objectKeys(t, raw); !slices.Equal(got, want) {
		t.Fatalf("%s keys\n got %q\nwant %q", what, got, want)
	}
}

// doc09 is the 0.9 document object as the 0.9.4 web UI reads it.
type doc09 struct {
	ID            int `json:"id"`
	Correspondent *struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"correspondent"`
	CorrespondentID *int `json:"correspondent_id"`
	DocumentType    *struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"document_type"`
	DocumentTypeID *int   `json:"document_type_id"`
	Title          string `json:"title"`
	Tags           []struct {
		ID         int    `json:"id"`
		Name       string `json:"name"`
		Colour     int    `json:"colour"`
		IsInboxTag bool   `json:"is_inbox_tag"`
	} `json:"tags"`
	TagsID  []int  `json:"tags_id"`
	Created string `json:"created"`
}

// TestWebUI094Replay replays the calls of the paperless-ng 0.9.4 web UI
// (src-ui at ng-0.9.4: its services and components) against a server
// whose requests without a version are served as version 0: log in,
// dashboard, document list, open a document, edit its tags and
// correspondent through the *_id keys, search, autocomplete, logs.
func TestWebUI094Replay(t *testing.T) {
	forEachDialect(t, func(t *testing.T, base *env) {
		f := base.seed()
		e := base.withDefaultVersion("0")
		ctx := context.Background()

		// Log in through the Django login form; then the UI sends the
		// session cookie and X-CSRFToken from the csrftoken cookie.
		rec := e.do("GET", "/accounts/login/", nil, anon)
		csrf := cookie(rec, "csrftoken")
		if rec.Code != 200 || csrf == nil {
			t.Fatalf("login form: %d, csrftoken %v", rec.Code, csrf)
		}
		form := url.Values{"username": {"admin"}, "password": {adminPassword}, "next": {"/"}, "csrfmiddlewaretoken": {csrf.Value}}
		rec = e.do("POST", "/accounts/login/", form.Encode(), func(r *http.Request) { r.Header.Del("Authorization"); r.AddCookie(csrf) })
		sess := cookie(rec, "sessionid")
		if rec.Code != http.StatusFound || sess == nil {
			t.Fatalf("login: %d %s", rec.Code, rec.Body)
		}
		ui := func(r *http.Request) {
			r.Header.Del("Authorization")
			r.Header.Set("Accept", "application/json, text/plain, */*")
			r.AddCookie(sess)
			r.AddCookie(csrf)
			r.Header.Set("X-CSRFToken", csrf.Value)
		}

		// Dashboard.
		var stats struct {
			Total int  `json:"documents_total"`
			Inbox *int `json:"documents_inbox"`
		}
		e.get("/api/statistics/", &stats, ui)
		if stats.Total != 3 || stats.Inbox == nil || *stats.Inbox != 1 {
			t.Fatalf("statistics %+v", stats)
		}

		// The lists behind the filter bar and the edit dialogs (listAll).
		for _, p := range []string{"correspondents", "document_types", "tags"} {
			var l page[map[string]any]
			e.get("/api/"+p+"/?page=1&page_size=100000", &l, ui)
			if l.Count == 0 {
				t.Fatalf("%s: empty", p)
			}
		}

		// Document list: nested objects beside the *_id keys.
		body := e.want(e.do("GET", "/api/documents/?page=1&page_size=50&ordering=-created", nil, ui), 200)
		var list page[json.RawMessage]
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatal(err)
		}
		if list.Count != 3 || len(list.Results) != 3 {
			t.Fatalf("list %s", body)
		}
		last := list.Results[2] // doc1, the oldest
		wantObjectKeys(t, "document", last, "id", "correspondent", "correspondent_id", "document_type", "document_type_id",
			"title", "content", "tags", "tags_id", "created", "modified", "added", "archive_serial_number")
		var raw struct {
			Correspondent json.RawMessage   `json:"correspondent"`
			DocumentType  json.RawMessage   `json:"document_type"`
			Tags          []json.RawMessage `json:"tags"`
		}
		if err := json.Unmarshal(last, &raw); err != nil {
			t.Fatal(err)
		}
		wantObjectKeys(t, "correspondent", raw.Correspondent, "id", "name", "slug", "match", "matching_algorithm", "is_insensitive")
		wantObjectKeys(t, "document_type", raw.DocumentType, "id", "name", "slug", "match", "matching_algorithm", "is_insensitive")
		wantObjectKeys(t, "tag", raw.Tags[0], "id", "name", "slug", "match", "matching_algorithm", "is_insensitive", "colour", "is_inbox_tag")
		want := fmt.Sprintf(`{"id":%d,"name":"ACME GmbH","slug":"acme-gmbh","match":"acme","matching_algorithm":1,"is_insensitive":true}`, f.corr)
		if string(raw.Correspondent) != want {
			t.Fatalf("correspondent %s, want %s", raw.Correspondent, want)
		}
		var d1 doc09
		if err := json.Unmarshal(last, &d1); err != nil {
			t.Fatal(err)
		}
		if d1.ID != f.doc1 || d1.CorrespondentID == nil || *d1.CorrespondentID != f.corr ||
			d1.DocumentType == nil || d1.DocumentType.Name != "Invoice" || len(d1.Tags) != 1 ||
			d1.Tags[0].Name != "Inbox" || !d1.Tags[0].IsInboxTag || d1.Tags[0].Colour != 6 || !slices.Equal(d1.TagsID, []int{f.inbox}) {
			t.Fatalf("doc1 %s", last)
		}
		// The filter bar's rules.
		for q, want := range map[string][]int{
			fmt.Sprintf("tags__id__all=%d", f.t2):       {f.doc3, f.doc2},
			fmt.Sprintf("correspondent__id=%d", f.corr): {f.doc1},
			"is_in_inbox=true":                          {f.doc1},
			"title__icontains=bank":                     {f.doc2},
		} {
			var p page[doc09]
			e.get("/api/documents/?page=1&page_size=50&ordering=-created&"+q, &p, ui)
			var got []int
			for _, d := range p.Results {
				got = append(got, d.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", q, got, want)
			}
		}

		// Open doc2, then save it the way the detail page does: the whole
		// object back by PUT, nested keys included, with the form's
		// correspondent_id and tags_id changed.
		path := fmt.Sprintf("/api/documents/%d/", f.doc2)
		var obj map[string]any
		e.get(path, &obj, ui)
		if obj["correspondent"] != nil || obj["correspondent_id"] != nil {
			t.Fatalf("doc2 has no correspondent: %v", obj)
		}
		obj["correspondent_id"] = f.corr2
		obj["document_type_id"] = f.typ
		obj["tags_id"] = []int{f.t3, f.inbox}
		obj["title"] = "bank statement (edited)"
		body = e.want(e.do("PUT", path, obj, ui), 200)
		var saved doc09
		if err := json.Unmarshal(body, &saved); err != nil {
			t.Fatal(err)
		}
		if saved.Correspondent == nil || saved.Correspondent.ID != f.corr2 || saved.DocumentType == nil ||
			saved.DocumentType.ID != f.typ || !slices.Equal(saved.TagsID, []int{f.inbox, f.t3}) || len(saved.Tags) != 2 {
			t.Fatalf("PUT answered %s", body)
		}
		got, err := e.st.Document(ctx, f.doc2)
		if err != nil {
			t.Fatal(err)
		}
		tagIDs, err := e.st.TagIDsByDocuments(ctx, []int{f.doc2})
		if err != nil {
			t.Fatal(err)
		}
		if got.CorrespondentID == nil || *got.CorrespondentID != f.corr2 || got.Title != "bank statement (edited)" ||
			!slices.Equal(tagIDs[f.doc2], []int{f.inbox, f.t3}) {
			t.Fatalf("stored %+v tags %v", got, tagIDs[f.doc2])
		}
		// The nested keys are read-only: a plain id there changes nothing.
		e.want(e.do("PATCH", path, map[string]any{"correspondent": f.corr, "tags": []int{}}, ui), 200)
		if got, _ = e.st.Document(ctx, f.doc2); *got.CorrespondentID != f.corr2 {
			t.Fatalf("nested key written: %+v", got)
		}
		// Clearing the correspondent.
		e.want(e.do("PATCH", path, map[string]any{"correspondent_id": nil}, ui), 200)
		if got, _ = e.st.Document(ctx, f.doc2); got.CorrespondentID != nil {
			t.Fatalf("correspondent not cleared: %+v", got)
		}
		// Errors name the *_id keys.
		for _, c := range []struct {
			body map[string]any
			want string
		}{
			{map[string]any{"title": "x", "correspondent_id": nil, "document_type_id": nil}, `{"tags_id":["This field is required."]}`},
			{map[string]any{"correspondent_id": 999, "document_type_id": nil, "tags_id": []int{}}, `{"correspondent_id":["Invalid pk \"999\" - object does not exist."]}`},
			{map[string]any{"correspondent_id": nil, "document_type_id": nil, "tags_id": 3}, `{"tags_id":["Expected a list of items but got type \"int\"."]}`},
		} {
			if body := e.want(e.do("PUT", path, c.body, ui), 400); string(body) != c.want {
				t.Errorf("PUT %v: %s, want %s", c.body, body, c.want)
			}
		}

		// Full-text search and autocomplete.
		e.reindex()
		var sr struct {
			Count   int `json:"count"`
			Results []struct {
				ID       int             `json:"id"`
				Document json.RawMessage `json:"document"`
			} `json:"results"`
		}
		e.get("/api/search/?query=rechnung", &sr, ui)
		if sr.Count != 1 || sr.Results[0].ID != f.doc1 {
			t.Fatalf("search: %d hits, first %d", sr.Count, sr.Results[0].ID)
		}
		wantObjectKeys(t, "search hit document", sr.Results[0].Document, "id", "correspondent", "correspondent_id", "document_type",
			"document_type_id", "title", "content", "tags", "tags_id", "created", "modified", "added", "archive_serial_number")
		if !bytes.Contains(sr.Results[0].Document, []byte(`"correspondent":{"id":`)) {
			t.Fatalf("search hit without the nested correspondent: %s", sr.Results[0].Document)
		}
		var words []string
		e.get("/api/search/autocomplete/?term=ban", &words, ui)
		if !slices.Contains(words, "bank") {
			t.Fatalf("autocomplete %v", words)
		}

		// Logs page: newest first, level at least info, then "load more"
		// with created__lt the last record's time.
		group := "6f0c2c5e-0a8f-4b8e-9c59-2b1d4b8e1a7d"
		var entries []store.LogEntry
		for i := range 60 {
			lvl := store.LevelInfo
			if i%3 == 0 {
				lvl = store.LevelDebug
			}
			entries = append(entries, store.LogEntry{Logger: "paperless", Message: fmt.Sprintf("line %d", i), Level: lvl,
				Group: &group, Created: fixedNow.Add(time.Duration(i+1) * time.Minute)})
		}
		if err := e.st.AddLogEntries(ctx, entries...); err != nil {
			t.Fatal(err)
		}
		type logRec struct {
			ID      int     `json:"id"`
			Created string  `json:"created"`
			Message string  `json:"message"`
			Group   *string `json:"group"`
			Level   int     `json:"level"`
		}
		body = e.want(e.do("GET", "/api/logs/?page=1&page_size=50&ordering=-created&level__gte=20", nil, ui), 200)
		var logs page[json.RawMessage]
		if err := json.Unmarshal(body, &logs); err != nil {
			t.Fatal(err)
		}
		wantObjectKeys(t, "log page", body, "count", "next", "previous", "results")
		// 40 of the 60 are info, plus the fixture's two info lines.
		if logs.Count != 42 || len(logs.Results) != 42 || logs.Next != nil {
			t.Fatalf("logs count %d, %d results, next %v", logs.Count, len(logs.Results), logs.Next)
		}
		wantObjectKeys(t, "log record", logs.Results[0], "id", "created", "message", "group", "level")
		var first, oldest logRec
		json.Unmarshal(logs.Results[0], &first)
		json.Unmarshal(logs.Results[39], &oldest)
		if first.Message != "line 59" || first.Group == nil || *first.Group != group || first.Level != 20 ||
			first.Created != "2021-03-04T12:30:00+01:00" || oldest.Message != "line 1" {
			t.Fatalf("first %+v, 40th %+v", first, oldest)
		}
		lt, _ := time.Parse(time.RFC3339, oldest.Created)
		var more page[logRec]
		e.get("/api/logs/?page=1&page_size=25&ordering=-created&created__lt="+url.QueryEscape(lt.UTC().Format("2006-01-02T15:04:05.000Z"))+"&level__gte=20", &more, ui)
		if more.Count != 2 {
			t.Fatalf("older than %s: %+v", oldest.Created, more)
		}
		var asc page[logRec]
		e.get("/api/logs/?ordering=created&level=10&page_size=5", &asc, ui)
		if asc.Count != 21 || asc.Results[0].Message != "Checking mail" || asc.Results[1].Message != "line 0" {
			t.Fatalf("ascending debug lines %+v", asc)
		}
		var byGroup page[logRec]
		e.get("/api/logs/?group="+strings.ToUpper(strings.ReplaceAll(group, "-", "")), &byGroup, ui)
		if byGroup.Count != 60 {
			t.Fatalf("group filter: %d", byGroup.Count)
		}
		if body := e.want(e.do("GET", "/api/logs/?group=nope", nil, ui), 400); string(body) != `{"group":["Enter a valid UUID."]}` {
			t.Fatalf("bad group: %s", body)
		}
		var one logRec
		e.get(fmt.Sprintf("/api/logs/%d/", first.ID), &one, ui)
		if one.ID != first.ID || one.Created != first.Created || one.Message != first.Message || one.Group == nil || *one.Group != group {
			t.Fatalf("log %d: %+v, want %+v", first.ID, one, first)
		}
		e.want(e.do("GET", "/api/logs/999999/", nil, ui), 404)
		e.want(e.do("DELETE", fmt.Sprintf("/api/logs/%d/", first.ID), nil, ui), 405)
		// A log's lines keep their URL (C2).
		var lines []string
		e.get("/api/logs/mail/", &lines, ui)
		if len(lines) != 1 {
			t.Fatalf("mail lines %q", lines)
		}
		// A client naming version 1 still gets the 1.x shapes.
		var names []string
		e.get("/api/logs/", &names, header("Accept", "application/json; version=1"))
		var flat page[docOut]
		e.get("/api/documents/", &flat, header("Accept", "application/json; version=1"))
		if len(names) == 0 || flat.Count != 3 {
			t.Fatalf("version 1 beside 0: names %v, documents %+v", names, flat)
		}
	})
}

// TestDocumentIDKeysV1V2: versions 1 and 2 accept 0.9's *_id keys on
// writes too, the plain key winning when both are sent.
func TestDocumentIDKeysV1V2(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		path := fmt.Sprintf("/api/documents/%d/", f.doc2)
		for _, v := range []string{"1", "2"} {
			accept := header("Accept", "application/json; version="+v)
			var out docOut
			body := e.want(e.do("PATCH", path, map[string]any{"correspondent_id": f.corr, "document_type_id": f.typ, "tags_id": []int{f.t3}}, accept), 200)
			json.Unmarshal(body, &out)
			if out.Correspondent == nil || *out.Correspondent != f.corr || out.DocumentType == nil || *out.DocumentType != f.typ || !slices.Equal(out.Tags, []int{f.t3}) {
				t.Fatalf("v%s PATCH *_id: %s", v, body)
			}
			body = e.want(e.do("PATCH", path, map[string]any{"correspondent": f.corr2, "correspondent_id": f.corr, "tags": []int{f.t2}, "tags_id": []int{f.t3}}, accept), 200)
			json.Unmarshal(body, &out)
			if *out.Correspondent != f.corr2 || !slices.Equal(out.Tags, []int{f.t2}) {
				t.Fatalf("v%s plain keys lose to *_id: %s", v, body)
			}
			// PUT with only the *_id keys satisfies the required relations.
			e.want(e.do("PUT", path, map[string]any{"correspondent_id": nil, "document_type_id": nil, "tags_id": []int{}}, accept), 200)
			got, err := e.st.Document(ctx, f.doc2)
			if err != nil {
				t.Fatal(err)
			}
			if got.CorrespondentID != nil || got.DocumentTypeID != nil {
				t.Fatalf("v%s PUT *_id: %+v", v, got)
			}
			if body := e.want(e.do("PATCH", path, map[string]any{"correspondent_id": 999}, accept), 400); !strings.Contains(string(body), `Invalid pk \"999\"`) {
				t.Fatalf("v%s unknown *_id: %s", v, body)
			}
			// The answer keeps the 1.x shape.
			wantObjectKeys(t, "v"+v+" document", e.want(e.do("GET", path, nil, accept), 200), "id", "correspondent", "document_type", "title",
				"content", "tags", "created", "modified", "added", "archive_serial_number", "original_file_name", "archived_file_name")
		}
	})
}

// TestUpload09Errors: in the 0.9 dialect post_document answers errors as
// Django's form error list (400 text/html, C5) and success as "OK".
func TestUpload09Errors(t *testing.T) {
	forEachDialect(t, func(t *testing.T, base *env) {
		base.seed()
		e := base.withDefaultVersion("0")
		pdf := docfixture.PDF(12, "Invoice from ACME")
		errList := func(msg string) string {
			return `<ul class="errorlist"><li>document<ul class="errorlist"><li>` + msg + `</li></ul></li></ul>`
		}
		for _, c := range []struct {
			name  string
			parts []part
			want  string
		}{
			{"Misnamed", []part{{name: "documenst", filename: "a.pdf", data: pdf}}, errList("This field is required.")},
			{"Empty", []part{{name: "document", filename: "a.pdf", data: nil}}, errList("The submitted file is empty.")},
			{"Suspicious", []part{{name: "document", filename: "a:b.pdf", data: pdf}}, errList("That filename is suspicious.")},
			{"Zip", []part{{name: "document", filename: "a.zip", data: zipFile}}, errList("This mime type is not supported.")},
		} {
			rec := e.upload(c.parts...)
			if rec.Code != 400 || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || rec.Body.String() != c.want {
				t.Errorf("%s: %d %s %s, want %s", c.name, rec.Code, rec.Header().Get("Content-Type"), rec.Body, c.want)
			}
		}
		if rec := e.upload(part{name: "document", filename: "ok.pdf", data: pdf}); rec.Code != 200 || rec.Body.String() != `"OK"` {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
		// Version 1 keeps the JSON errors.
		if rec := base.upload(part{name: "documenst", filename: "a.pdf", data: pdf}); rec.Code != 400 || !strings.HasPrefix(rec.Body.String(), `{"document":`) {
			t.Fatalf("v1 error: %d %s", rec.Code, rec.Body)
		}
	})
}
