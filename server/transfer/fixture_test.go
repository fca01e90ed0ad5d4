package transfer

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// The paperless-ngx export fixtures (testdata/paperless-ngx-export-2.x
// and -3.x) are written by this test when QUIRE_WRITE_FIXTURES=1:
//
//	QUIRE_WRITE_FIXTURES=1 go test -run TestWriteNGXFixtures ./server/transfer/
//
// They follow what paperless-ngx's document_exporter writes at 2.20 and
// 3.0.5 (read from its source): every model it exports that Quire reads
// or skips, with small generated files.
func TestWriteNGXFixtures(t *testing.T) {
	if os.Getenv("QUIRE_WRITE_FIXTURES") == "" {
		t.Skip("set QUIRE_WRITE_FIXTURES=1 to rewrite the fixtures")
	}
	for _, v3 := range []bool{false, true} {
		dir := "../../testdata/paperless-ngx-export-2.x"
		if v3 {
			dir = "../../testdata/paperless-ngx-export-3.x"
		}
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeNGXFixture(t, dir, v3)
	}
}

type obj = map[string]any

func writeNGXFixture(t *testing.T, dir string, v3 bool) {
	t.Helper()
	sum := func(b []byte) string {
		if v3 {
			s := sha256.Sum256(b)
			return hex.EncodeToString(s[:])
		}
		s := md5.Sum(b)
		return hex.EncodeToString(s[:])
	}
	img := image.NewRGBA(image.Rect(0, 0, 8, 10))
	for y := range 10 {
		for x := range 8 {
			img.Set(x, y, color.RGBA{uint8(x * 30), uint8(y * 20), 90, 255})
		}
	}
	var thumb bytes.Buffer
	png.Encode(&thumb, img)
	write := func(name string, b []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	var recs []obj
	add := func(model string, pk int, fields obj) obj {
		r := obj{"model": model, "pk": pk, "fields": fields}
		recs = append(recs, r)
		return r
	}
	cts := [][2]string{{"documents", "document"}, {"documents", "tag"}, {"documents", "correspondent"}, {"documents", "storagepath"}}
	for i, ct := range cts {
		add(modelContentType, i+1, obj{"app_label": ct[0], "model": ct[1]})
		for j, a := range ngxPermissionActions {
			add(modelPermission, i*4+j+1, obj{"name": "Can " + a + " " + ct[1], "content_type": i + 1, "codename": a + "_" + ct[1]})
		}
	}
	add(modelGroup, 1, obj{"name": "Accounting", "permissions": []int{2, 4, 8}})
	add(modelUser, 1, obj{"password": "pbkdf2_sha256$600000$c2FsdHNhbHQ$2k1f3MlWbKJvHfVbzLgPzq0g9n8v0y0bC8o2lJ8u0cQ=", "last_login": "2025-11-02T08:15:00.120Z",
		"is_superuser": true, "username": "admin", "first_name": "", "last_name": "", "email": "admin@example.org", "is_staff": true, "is_active": true,
		"date_joined": "2023-01-05T10:00:00Z", "groups": []int{}, "user_permissions": []int{}})
	add(modelUser, 3, obj{"password": "!", "last_login": nil, "is_superuser": false, "username": "anna", "first_name": "Anna", "last_name": "Berg",
		"email": "anna@example.org", "is_staff": false, "is_active": true, "date_joined": "2024-02-01T09:30:00Z", "groups": []int{1}, "user_permissions": []int{1, 5}})
	add(modelCorrespondent, 1, obj{"owner": nil, "name": "ACME GmbH", "match": "acme", "matching_algorithm": 1, "is_insensitive": true})
	add(modelCorrespondent, 2, obj{"owner": 3, "name": "Anna's Landlord", "match": "", "matching_algorithm": 6, "is_insensitive": true})
	add(modelDocumentType, 1, obj{"owner": nil, "name": "Invoice", "match": "invoice", "matching_algorithm": 3, "is_insensitive": false})
	add(modelStoragePath, 1, obj{"owner": nil, "name": "By year", "match": "", "matching_algorithm": 0, "is_insensitive": true, "path": "{{ created_year }}/{{ title }}"})
	tag := func(pk int, name, color string, inbox bool, parent *int, anc, children string, level int) {
		f := obj{"tn_ancestors_pks": anc, "tn_ancestors_count": 0, "tn_children_pks": children, "tn_children_count": 0, "tn_depth": 0,
			"tn_descendants_pks": children, "tn_descendants_count": 0, "tn_index": 0, "tn_level": level, "tn_priority": 0, "tn_order": pk - 1,
			"tn_siblings_pks": "", "tn_siblings_count": 0, "owner": nil, "name": name, "match": "", "matching_algorithm": 0, "is_insensitive": true,
			"color": color, "is_inbox_tag": inbox, "tn_parent": parent}
		add(modelTag, pk, f)
	}
	two := 2
	tag(3, "Tax", "#1f78b4", false, &two, "2", "", 2) // the child first: parents may come later
	tag(1, "Inbox", "#e31a1c", true, nil, "", "", 1)
	tag(2, "Finance", "#33a02c", false, nil, "", "3", 1)
	add(modelCustomField, 1, obj{"created": "2024-03-01T12:00:00Z", "name": "Amount", "data_type": "monetary", "extra_data": obj{"select_options": nil, "default_currency": "EUR"}})
	add(modelCustomField, 2, obj{"created": "2024-03-01T12:00:00Z", "name": "Status", "data_type": "select",
		"extra_data": obj{"select_options": []obj{{"id": "a1", "label": "Open"}, {"id": "b2", "label": "Paid"}}}})
	view := obj{"owner": 1, "name": "Finance inbox", "sort_field": "created", "sort_reverse": true, "page_size": 25, "display_mode": "smallCards",
		"display_fields": []string{"title", "created", "tag", "custom_field_1"}}
	if !v3 {
		view["show_on_dashboard"], view["show_in_sidebar"] = true, false
	}
	add(modelSavedView, 1, view)
	add(modelSavedViewRule, 1, obj{"saved_view": 1, "rule_type": 6, "value": "2"})
	add(modelSavedViewRule, 2, obj{"saved_view": 1, "rule_type": 20, "value": "invoice"})
	settings := obj{"dark_mode": obj{"enabled": "true"}}
	if v3 {
		settings["saved_views"] = obj{"dashboard_views_visible_ids": []int{1}, "sidebar_views_visible_ids": []int{}}
	}
	add(modelUISettings, 1, obj{"user": 1, "settings": settings})
	add(modelUserObjectPerm, 1, obj{"permission": 4, "content_type": 1, "object_pk": "2", "user": 3})
	add(modelGroupObjPerm, 1, obj{"permission": 2, "content_type": 1, "object_pk": "1", "group": 1})
	add("documents.workflowtrigger", 1, obj{"type": 1, "sources": "1,2,3", "filter_filename": "*.pdf", "match": "", "matching_algorithm": 0, "is_insensitive": true,
		"filter_has_tags": []int{}, "filter_has_all_tags": []int{}, "filter_has_not_tags": []int{}})
	add("documents.workflowaction", 1, obj{"type": 1, "order": 0, "assign_title": "Scan {{ added }}", "assign_tags": []int{1}})
	add("documents.workflow", 1, obj{"name": "Tag scans", "order": 0, "triggers": []int{1}, "actions": []int{1}, "enabled": true})
	add("paperless_mail.mailaccount", 1, obj{"owner": 1, "name": "Mailbox", "imap_server": "imap.example.org", "imap_port": 993, "imap_security": 2,
		"username": "paperless", "password": "secret", "character_set": "UTF-8", "is_token": false, "account_type": 1})
	add("paperless_mail.mailrule", 1, obj{"owner": 1, "name": "Invoices", "account": 1, "enabled": true, "folder": "INBOX", "filter_from": "billing@", "action": 3})
	add("paperless.applicationconfiguration", 1, obj{"output_type": nil, "pages": nil, "language": "deu+eng"})
	add("documents.paperlesstask", 1, obj{"owner": 1, "task_id": "8c1f0a3e-1d0b-4b0e-9a67-5d6f4a5e0c11", "status": "SUCCESS", "acknowledged": true})
	add("auditlog.logentry", 1, obj{"content_type": 1, "object_pk": "1", "object_id": 1, "object_repr": "Invoice 2025-10", "action": 1,
		"changes": `{"title": ["Scan", "Invoice 2025-10"]}`, "timestamp": "2025-10-02T09:00:00Z", "actor": 1})

	// The documents, with notes, custom field values and a share link.
	type doc struct {
		pk                int
		title, base, mime string
		orig, arch        []byte
		created           string
		fields            obj
		thumb             bool
	}
	invoice, scan := benchPDF(1, "ACME invoice October amount 118.00 EUR"), benchPDF(1, "ACME invoice October amount 118.00 EUR (OCR)")
	lease := []byte("Lease renewal for the flat, from Anna's landlord.\n")
	old := benchPDF(3, "old tax assessment 2019")
	docs := []doc{
		{pk: 1, title: "Invoice 2025-10", base: "2025-10-01 ACME GmbH Invoice 2025-10", mime: "application/pdf", orig: invoice, arch: scan, created: "2025-10-01",
			fields: obj{"owner": 3, "correspondent": 1, "storage_path": 1, "document_type": 1, "tags": []int{2, 3}, "archive_serial_number": 42,
				"filename": "2025/Invoice 2025-10.pdf", "archive_filename": "2025/Invoice 2025-10.pdf", "original_filename": "scan_0042.pdf", "page_count": 1,
				"content": "ACME invoice October amount 118.00 EUR"}, thumb: true},
		{pk: 2, title: "Lease renewal", base: "2025-06-15 Anna's Landlord Lease renewal", mime: "text/plain", orig: lease, created: "2025-06-15",
			fields: obj{"owner": 3, "correspondent": 2, "storage_path": nil, "document_type": nil, "tags": []int{1}, "archive_serial_number": nil,
				"filename": "0000002.txt", "archive_filename": nil, "original_filename": "lease.txt", "page_count": nil,
				"content": "Lease renewal for the flat, from Anna's landlord."}, thumb: false},
		{pk: 3, title: "Tax assessment 2019", base: "2020-03-10 Tax assessment 2019", mime: "application/pdf", orig: old, created: "2020-03-10",
			fields: obj{"owner": nil, "correspondent": nil, "storage_path": nil, "document_type": nil, "tags": []int{3}, "archive_serial_number": nil,
				"filename": "0000003.pdf", "archive_filename": nil, "original_filename": "tax2019.pdf", "page_count": 1,
				"content": "old tax assessment 2019", "deleted_at": "2025-09-01T07:00:00Z"}, thumb: true},
	}
	for _, d := range docs {
		f := d.fields
		f["title"], f["mime_type"], f["checksum"] = d.title, d.mime, sum(d.orig)
		f["created"] = d.created
		if !v3 {
			f["created"] = d.created + "T00:00:00Z"
			f["storage_type"] = "unencrypted"
		} else {
			f["root_document"], f["version_index"], f["version_label"] = nil, nil, nil
		}
		f["modified"], f["added"] = d.created+"T12:00:00.500Z", d.created+"T11:00:00Z"
		if _, ok := f["deleted_at"]; !ok {
			f["deleted_at"] = nil
		}
		f["restored_at"], f["transaction_id"] = nil, nil
		ext := ".pdf"
		if d.mime == "text/plain" {
			ext = ".txt"
		}
		r := add(modelDocument, d.pk, f)
		r[keyFile] = d.base + ext
		write(d.base+ext, d.orig)
		if d.thumb {
			r[keyThumbnail] = d.base + "-thumbnail.webp"
			write(d.base+"-thumbnail.webp", thumb.Bytes())
		}
		if d.arch != nil {
			r[keyArchive] = d.base + "-archive.pdf"
			f["archive_checksum"] = sum(d.arch)
			write(d.base+"-archive.pdf", d.arch)
		} else {
			f["archive_checksum"] = nil
		}
	}
	add(modelNote, 1, obj{"deleted_at": nil, "restored_at": nil, "transaction_id": nil, "note": "Paid on 2025-10-14.", "created": "2025-10-14T16:20:00Z", "document": 1, "user": 3})
	add(modelCustomFieldVal, 1, obj{"deleted_at": nil, "restored_at": nil, "transaction_id": nil, "created": "2025-10-02T09:00:00Z", "document": 1, "field": 1,
		"value_text": nil, "value_bool": nil, "value_url": nil, "value_date": nil, "value_int": nil, "value_float": nil, "value_monetary": "EUR118.00",
		"value_document_ids": nil, "value_select": nil, "value_long_text": nil})
	add(modelCustomFieldVal, 2, obj{"deleted_at": nil, "restored_at": nil, "transaction_id": nil, "created": "2025-10-02T09:00:00Z", "document": 1, "field": 2,
		"value_text": nil, "value_bool": nil, "value_url": nil, "value_date": nil, "value_int": nil, "value_float": nil, "value_monetary": nil,
		"value_document_ids": nil, "value_select": "b2", "value_long_text": nil})
	add(modelShareLink, 1, obj{"deleted_at": nil, "restored_at": nil, "transaction_id": nil, "created": "2025-10-03T10:00:00Z", "expiration": nil,
		"slug": "Jm3yZtXqk2Vr9sLwN0aB4cD6eF8gH1iJ2kL3mN4oP5qR6sT7uV", "document": 1, "file_version": "original", "owner": 3})

	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	write(ManifestName, b)
	version := "2.20.3"
	if v3 {
		version = NGXVersion
	}
	b, _ = json.MarshalIndent(obj{"version": version}, "", "  ")
	write(metadataName, b)
}
