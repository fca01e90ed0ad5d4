package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/storetest"
)

var ngxDocumentKeys = []string{"id", "correspondent", "document_type", "storage_path", "title", "content", "tags",
	"created", "created_date", "modified", "added", "deleted_at", "archive_serial_number", "original_file_name",
	"archived_file_name", "duplicate_documents", "owner", "user_can_change", "is_shared_by_requester", "notes",
	"custom_fields", "page_count", "mime_type", "root_document", "versions"}

// TestNgxDocumentObject: versions 9 and 10 serve paperless-ngx's
// document object (NGX §6.1) with every key, in order; what Quire has no
// model for yet answers empty.
func TestNgxDocumentObject(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		for _, v := range []string{"9", "10"} {
			accept := header("Accept", "application/json; version="+v)
			body := e.want(e.do("GET", fmt.Sprintf("/api/documents/?id=%d", f.doc1), nil, accept), 200)
			var p page[json.RawMessage]
			if err := json.Unmarshal(body, &p); err != nil || len(p.Results) != 1 {
				t.Fatalf("v%s list: %v %s", v, err, body)
			}
			wantObjectKeys(t, "v"+v+" document", p.Results[0], ngxDocumentKeys...)
			detail := e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/", f.doc1), nil, accept), 200)
			if string(detail) != string(p.Results[0]) {
				t.Fatalf("v%s detail differs from the list item:\n%s\n%s", v, detail, p.Results[0])
			}
			var d map[string]any
			json.Unmarshal(detail, &d)
			// Created 2020-11-01 09:15 UTC: 10:15 in the server's zone.
			want := map[string]any{"created": "2020-11-01", "created_date": "2020-11-01", "storage_path": nil,
				"deleted_at": nil, "owner": nil, "user_can_change": true, "is_shared_by_requester": false,
				"page_count": nil, "mime_type": "application/pdf", "root_document": nil,
				"original_file_name": "Rechnung März <1>.pdf", "correspondent": float64(f.corr)}
			for k, w := range want {
				if d[k] != w {
					t.Errorf("v%s %s = %#v, want %#v", v, k, d[k], w)
				}
			}
			for _, k := range []string{"notes", "custom_fields", "duplicate_documents"} {
				if l, ok := d[k].([]any); !ok || len(l) != 0 {
					t.Errorf("v%s %s = %#v, want []", v, k, d[k])
				}
			}
			versions, _ := d["versions"].([]any)
			if len(versions) != 1 {
				t.Fatalf("v%s versions %#v", v, d["versions"])
			}
			ver := versions[0].(map[string]any)
			if ver["id"] != float64(f.doc1) || ver["is_root"] != true || ver["version_label"] != nil ||
				ver["checksum"] != fmt.Sprintf("%032d", 1) || ver["added"] != d["added"] {
				t.Errorf("v%s version %#v", v, ver)
			}
			if !strings.HasPrefix(d["modified"].(string), "2020-11-01T12:15:00.000123+01:00") {
				t.Errorf("v%s modified %v", v, d["modified"])
			}

			// ?fields= and ?full_perms=true.
			wantObjectKeys(t, "fields", e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/?fields=created,id,nope", f.doc1), nil, accept), 200), "id", "created")
			perms := e.want(e.do("GET", fmt.Sprintf("/api/documents/%d/?full_perms=true", f.doc1), nil, accept), 200)
			wantObjectKeys(t, "full_perms", perms, append(append(append([]string{}, ngxDocumentKeys[:17]...), "permissions"), ngxDocumentKeys[19:]...)...)
			if !strings.Contains(string(perms), `"permissions":{"view":{"users":[],"groups":[]},"change":{"users":[],"groups":[]}}`) {
				t.Errorf("v%s permissions: %s", v, perms)
			}
		}
	})
}

// TestNgxDocumentTruncate: ?truncate_content=true keeps 550 characters.
func TestNgxDocumentTruncate(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		long := strings.Repeat("ä", 600)
		e.want(e.do("PATCH", fmt.Sprintf("/api/documents/%d/", f.doc1), map[string]any{"content": long}), 200)
		accept := header("Accept", "application/json; version=10")
		var d struct{ Content string }
		e.get(fmt.Sprintf("/api/documents/%d/?truncate_content=true", f.doc1), &d, accept)
		if utf8.RuneCountInString(d.Content) != 550 {
			t.Fatalf("truncated to %d characters", utf8.RuneCountInString(d.Content))
		}
		e.get(fmt.Sprintf("/api/documents/%d/", f.doc1), &d, accept)
		if d.Content != long {
			t.Fatalf("untruncated content changed: %d characters", utf8.RuneCountInString(d.Content))
		}
	})
}

// TestNgxDocumentWrites: NGX §6.2 — created is a date (a datetime is cut
// to its date in the server zone), created_date is its alias, PUT and
// PATCH answer in the permissions form, and a client's round trip of
// the whole object (storage_path, owner, notes, custom_fields, …) works.
func TestNgxDocumentWrites(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		ctx := context.Background()
		loc, _ := time.LoadLocation(storetest.Zone)
		path := fmt.Sprintf("/api/documents/%d/", f.doc2)
		for _, v := range []string{"9", "10"} {
			accept := header("Accept", "application/json; version="+v)
			created := func() string {
				t.Helper()
				d, err := e.st.Document(ctx, f.doc2)
				if err != nil {
					t.Fatal(err)
				}
				return d.Created.In(loc).Format(time.DateTime)
			}
			body := e.want(e.do("PATCH", path, map[string]any{"created": "2021-02-03"}, accept), 200)
			wantObjectKeys(t, "PATCH answer", body, append(append(append([]string{}, ngxDocumentKeys[:17]...), "permissions"), ngxDocumentKeys[19:]...)...)
			if got := created(); got != "2021-02-03 00:00:00" {
				t.Fatalf("v%s created stored %s", v, got)
			}
			var d map[string]any
			json.Unmarshal(body, &d)
			if d["created"] != "2021-02-03" || d["created_date"] != "2021-02-03" {
				t.Fatalf("v%s answer created %v / %v", v, d["created"], d["created_date"])
			}
			// 23:30 UTC is the next day in the server's zone.
			e.want(e.do("PATCH", path, map[string]any{"created": "2021-02-03T23:30:00Z"}, accept), 200)
			if got := created(); got != "2021-02-04 00:00:00" {
				t.Fatalf("v%s datetime created stored %s", v, got)
			}
			e.want(e.do("PATCH", path, map[string]any{"created_date": "2021-05-06"}, accept), 200)
			if got := created(); got != "2021-05-06 00:00:00" {
				t.Fatalf("v%s created_date stored %s", v, got)
			}
			e.want(e.do("PATCH", path, map[string]any{"created": "2021-07-08", "created_date": "1999-01-01"}, accept), 200)
			if got := created(); got != "2021-07-08 00:00:00" {
				t.Fatalf("v%s created beside created_date stored %s", v, got)
			}
			for _, c := range []struct {
				body map[string]any
				want string
			}{
				{map[string]any{"created": "08.07.2021"}, `{"created":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}`},
				{map[string]any{"created": nil}, `{"created":["This field may not be null."]}`},
				{map[string]any{"storage_path": 4}, `{"storage_path":["Invalid pk \"4\" - object does not exist."]}`},
				{map[string]any{"tags": []int{999}}, `{"tags":["Invalid pk \"999\" - object does not exist."]}`},
			} {
				if body := e.want(e.do("PATCH", path, c.body, accept), 400); string(body) != c.want {
					t.Errorf("v%s PATCH %v: %s, want %s", v, c.body, body, c.want)
				}
			}

			// A client's round trip: GET, change, PUT everything back.
			var obj map[string]any
			e.get(path, &obj, accept)
			obj["title"] = "round trip " + v
			obj["correspondent"] = f.corr
			obj["tags"] = []int{f.t3}
			body = e.want(e.do("PUT", path, obj, accept), 200)
			json.Unmarshal(body, &d)
			got, _ := e.st.Document(ctx, f.doc2)
			if got.Title != "round trip "+v || got.CorrespondentID == nil || *got.CorrespondentID != f.corr || d["created"] != "2021-07-08" {
				t.Fatalf("v%s round trip: stored %+v, answered %s", v, got, body)
			}
			e.want(e.do("PATCH", path, map[string]any{"correspondent": nil}, accept), 200)
		}
	})
}

// TestNgxArchivedFileName: archived_file_name is the archive version's
// public name, as in versions 1 and 2; original_file_name stays the
// uploaded name (NGX §6.1).
func TestNgxArchivedFileName(t *testing.T) {
	forEachDialect(t, func(t *testing.T, e *env) {
		f := e.seed()
		arch := "0000009.pdf"
		created := time.Date(2020, 11, 5, 23, 30, 0, 0, time.UTC) // the 6th in the server's zone
		d := &store.Document{Title: "Scan", Content: "x", CorrespondentID: &f.corr, Created: created, Added: created, Modified: created,
			MimeType: "image/png", Checksum: fmt.Sprintf("%032d", 9), OriginalFilename: "IMG_0001.png", ArchiveFilename: &arch}
		if err := e.st.CreateDocument(context.Background(), d, nil); err != nil {
			t.Fatal(err)
		}
		var ngx, v1 struct {
			Original string  `json:"original_file_name"`
			Archived *string `json:"archived_file_name"`
		}
		e.get(fmt.Sprintf("/api/documents/%d/", d.ID), &ngx, header("Accept", "application/json; version=10"))
		e.get(fmt.Sprintf("/api/documents/%d/", d.ID), &v1, header("Accept", "application/json; version=1"))
		if ngx.Original != "IMG_0001.png" || ngx.Archived == nil || *ngx.Archived != "2020-11-06 ACME GmbH Scan.pdf" ||
			v1.Archived == nil || *v1.Archived != *ngx.Archived {
			t.Fatalf("ngx %q %v, v1 %v", ngx.Original, ngx.Archived, v1.Archived)
		}
		var other struct {
			Archived *string `json:"archived_file_name"`
		}
		e.get(fmt.Sprintf("/api/documents/%d/", f.doc1), &other, header("Accept", "application/json; version=10"))
		if other.Archived != nil {
			t.Fatalf("no archive version, archived_file_name %q", *other.Archived)
		}
	})
}

// TestDocumentSchemaPerVersion: /api/schema/ describes each version's
// document object.
func TestDocumentSchemaPerVersion(t *testing.T) {
	e := newEnv(t, "sqlite")
	for v, want := range map[string][2]string{
		"0":  {"tags_id", "date-time"},
		"1":  {"original_file_name", "date-time"},
		"10": {"custom_fields", "date"},
		"9":  {"page_count", "date"},
	} {
		var doc struct {
			Components struct {
				Schemas map[string]struct {
					Required   []string                  `json:"required"`
					Properties map[string]map[string]any `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		e.get("/api/schema/?version="+v, &doc)
		d := doc.Components.Schemas["Document"]
		if _, ok := d.Properties[want[0]]; !ok || d.Properties["created"]["format"] != want[1] {
			t.Errorf("version %s: Document %v", v, d.Properties)
		}
		if p := doc.Components.Schemas["DocumentPartial"]; len(p.Required) != 0 || len(p.Properties) != len(d.Properties) {
			t.Errorf("version %s: DocumentPartial %v", v, p)
		}
	}
}
