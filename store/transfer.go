package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// This file holds what migration (server/transfer: `quire import` and
// `quire export`) needs beyond the ordinary API: inserts that keep the ids
// of another archive, idempotent so an interrupted import can run again,
// the PostgreSQL identity-sequence reset that explicit ids require, and
// whole-table reads for an export.

// ImportCorrespondent inserts c with its own id and reports whether it
// did. A correspondent already stored under that id with the same name
// (an earlier, interrupted import) is left alone (false, nil). Errors:
// Conflict when the id belongs to a correspondent of another name or the
// name (ignoring case) to another id. It sets NameKey and Slug.
func (s *Store) ImportCorrespondent(ctx context.Context, c *Correspondent) (bool, error) {
	c.NameKey, c.Slug = foldKey(c.Name), Slugify(c.Name)
	return importNamed(ctx, s, correspondentKind, c.ID, c.Name, c.NameKey, ownedBy(c.OwnerID), c)
}

// ImportDocumentType is ImportCorrespondent for a document type.
func (s *Store) ImportDocumentType(ctx context.Context, t *DocumentType) (bool, error) {
	t.NameKey, t.Slug = foldKey(t.Name), Slugify(t.Name)
	return importNamed(ctx, s, documentTypeKind, t.ID, t.Name, t.NameKey, ownedBy(t.OwnerID), t)
}

// ImportTag is ImportCorrespondent for a tag.
func (s *Store) ImportTag(ctx context.Context, t *Tag) (bool, error) {
	t.NameKey, t.Slug = foldKey(t.Name), Slugify(t.Name)
	return importNamed(ctx, s, tagKind, t.ID, t.Name, t.NameKey, ownedBy(t.OwnerID), t)
}

// ownerScope says whose names an imported name must not repeat: names
// are unique per owner (paperless-ngx's constraints), so two users' tags
// may share a name. nil: the model has no owners (names are global).
type ownerScope struct{ owner *int }

// ownedBy is the scope of an object owned by owner (nil: unowned).
func ownedBy(owner *int) *ownerScope { return &ownerScope{owner} }

// importNamed inserts model (a correspondent, type, tag, … with an
// explicit id) unless the same object is already there. A name clashes
// with another object's of the same owner (scope), or with any other
// when scope is nil.
func importNamed(ctx context.Context, s *Store, k namedKind, id int, name, nameKey string, scope *ownerScope, model any) (bool, error) {
	var rows []struct {
		ID   int    `bun:"id"`
		Name string `bun:"name"`
	}
	q := s.db(ctx).NewSelect().TableExpr(k.table).Column("id", "name")
	switch {
	case scope == nil:
		q = q.Where("id = ? OR name_key = ?", id, nameKey)
	case scope.owner == nil:
		q = q.Where("id = ? OR (name_key = ? AND owner_id IS NULL)", id, nameKey)
	default:
		q = q.Where("id = ? OR (name_key = ? AND owner_id = ?)", id, nameKey, *scope.owner)
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return false, fmt.Errorf("look up %s %d: %w", k.label, id, translate(err))
	}
	for _, r := range rows {
		switch {
		case r.ID == id && r.Name == name:
			return false, nil
		case r.ID == id:
			return false, Errorf(Conflict, "%s id %d is already taken by %q", k.label, id, r.Name)
		default:
			return false, Errorf(Conflict, "a %s named %q already exists with id %d", k.label, r.Name, r.ID)
		}
	}
	if _, err := s.wdb(ctx).NewInsert().Model(model).Exec(ctx); err != nil {
		return false, fmt.Errorf("insert %s %d: %w", k.label, id, translate(err))
	}
	return true, nil
}

// ImportUser stores an imported account and returns the id it has here.
// A user with the same username (ignoring case) is kept as it is, password
// included, and its id returned with created false. Otherwise u is
// inserted under its own id when that is free, else under a new one. u.Password
// holds an encoded hash (Django's pbkdf2_sha256 is verified and upgraded
// at login by server/auth). Errors: the Validation errors of CreateUser.
func (s *Store) ImportUser(ctx context.Context, u *User) (id int, created bool, err error) {
	if err := validateUser(u); err != nil {
		return 0, false, err
	}
	u.DateJoined = u.DateJoined.UTC()
	err = s.InTx(ctx, func(ctx context.Context) error {
		var existing []int
		if err := s.db(ctx).NewSelect().TableExpr("users").Column("id").
			Where("username_key = ?", u.UsernameKey).Scan(ctx, &existing); err != nil {
			return fmt.Errorf("look up user %q: %w", u.Username, translate(err))
		}
		if len(existing) > 0 {
			id = existing[0]
			return nil
		}
		taken, err := s.db(ctx).NewSelect().TableExpr("users").Where("id = ?", u.ID).Exists(ctx)
		if err != nil {
			return fmt.Errorf("look up user %d: %w", u.ID, translate(err))
		}
		q := s.wdb(ctx).NewInsert().Model(u)
		if taken || u.ID <= 0 {
			q = q.ExcludeColumn("id").Returning("id")
		}
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("insert user %q: %w", u.Username, translate(err))
		}
		id, created = u.ID, true
		return nil
	})
	return id, created, err
}

// ImportSavedView stores v (with its own id) and its rules, unless a view
// of that id, owner and name is already there (false, nil). Rules keep
// their ids where they are free. Errors: Conflict when the id belongs to
// another view; Validation when the owner does not exist.
func (s *Store) ImportSavedView(ctx context.Context, v *SavedView, rules []SavedViewRule) (bool, error) {
	inserted := false
	err := s.InTx(ctx, func(ctx context.Context) error {
		var old []SavedView
		if err := s.db(ctx).NewSelect().Model(&old).Where("id = ?", v.ID).Scan(ctx); err != nil {
			return fmt.Errorf("look up saved view %d: %w", v.ID, translate(err))
		}
		if len(old) > 0 {
			if old[0].UserID == v.UserID && old[0].Name == v.Name {
				return nil
			}
			return Errorf(Conflict, "saved view id %d is already taken by %q", v.ID, old[0].Name)
		}
		if _, err := s.wdb(ctx).NewInsert().Model(v).Exec(ctx); err != nil {
			return fmt.Errorf("insert saved view %d: %w", v.ID, translate(err))
		}
		for i := range rules {
			r := &rules[i]
			r.SavedViewID = v.ID
			taken := false
			if r.ID > 0 {
				var err error
				if taken, err = s.db(ctx).NewSelect().TableExpr("saved_view_rules").Where("id = ?", r.ID).Exists(ctx); err != nil {
					return fmt.Errorf("look up saved view rule %d: %w", r.ID, translate(err))
				}
			}
			q := s.wdb(ctx).NewInsert().Model(r)
			if taken || r.ID <= 0 {
				q = q.ExcludeColumn("id").Returning("id")
			}
			if _, err := q.Exec(ctx); err != nil {
				return fmt.Errorf("insert rule of saved view %d: %w", v.ID, translate(err))
			}
		}
		inserted = true
		return nil
	})
	return inserted, err
}

// DocumentChecksums returns the checksum of each of the documents with the
// given ids that exist.
func (s *Store) DocumentChecksums(ctx context.Context, ids []int) (map[int]string, error) {
	out := make(map[int]string, len(ids))
	for chunk := range chunks(ids, 1000) {
		var rows []struct {
			ID       int    `bun:"id"`
			Checksum string `bun:"checksum"`
		}
		if err := s.db(ctx).NewSelect().TableExpr("documents").Column("id", "checksum").
			Where("id IN (?)", bun.In(chunk)).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("look up documents: %w", translate(err))
		}
		for _, r := range rows {
			out[r.ID] = r.Checksum
		}
	}
	return out, nil
}

// DocumentIDsByChecksums maps each of the checksums that a stored document
// has to that document's id.
func (s *Store) DocumentIDsByChecksums(ctx context.Context, sums []string) (map[string]int, error) {
	out := make(map[string]int, len(sums))
	for chunk := range chunks(sums, 1000) {
		var rows []struct {
			ID       int    `bun:"id"`
			Checksum string `bun:"checksum"`
		}
		if err := s.db(ctx).NewSelect().TableExpr("documents").Column("id", "checksum").
			Where("checksum IN (?)", bun.In(chunk)).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("look up document checksums: %w", translate(err))
		}
		for _, r := range rows {
			out[r.Checksum] = r.ID
		}
	}
	return out, nil
}

// DocumentIDsByASNs maps each of the archive serial numbers that a stored
// document has to that document's id.
func (s *Store) DocumentIDsByASNs(ctx context.Context, asns []int) (map[int]int, error) {
	out := make(map[int]int, len(asns))
	for chunk := range chunks(asns, 1000) {
		var rows []struct {
			ID  int `bun:"id"`
			ASN int `bun:"archive_serial_number"`
		}
		if err := s.db(ctx).NewSelect().TableExpr("documents").Column("id", "archive_serial_number").
			Where("archive_serial_number IN (?)", bun.In(chunk)).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("look up archive serial numbers: %w", translate(err))
		}
		for _, r := range rows {
			out[r.ASN] = r.ID
		}
	}
	return out, nil
}

// ImportDocuments inserts documents with their own ids (and their Created,
// Modified and Added as given), with tagIDs[i] the tags of docs[i], in one
// transaction; the search outbox queues each of them. The caller has made
// sure that ids, checksums, archive serial numbers and file names are
// free and that the referenced objects exist (see DocumentChecksums,
// DocumentIDsByChecksums, DocumentIDsByASNs); a violation fails the whole
// batch with the translated Conflict or Validation error. On PostgreSQL
// the id sequences are moved past the new ids in the same transaction.
func (s *Store) ImportDocuments(ctx context.Context, docs []*Document, tagIDs [][]int) error {
	return s.importDocuments(ctx, docs, tagIDs, nil)
}

// importDocuments is ImportDocuments, running more (when not nil) in its
// transaction after the documents and their tags are in. The tags of a
// document in the trash go where the trash keeps them.
func (s *Store) importDocuments(ctx context.Context, docs []*Document, tagIDs [][]int, more func(ctx context.Context) error) error {
	if len(docs) == 0 {
		return nil
	}
	for _, d := range docs {
		d.TitleKey = foldKey(d.Title)
		d.Created, d.Modified, d.Added = d.Created.UTC(), d.Modified.UTC(), d.Added.UTC()
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		for chunk := range chunks(docs, 500) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		var links, trashed []DocumentTag
		for i, d := range docs {
			if i < len(tagIDs) {
				for _, t := range uniqueInts(tagIDs[i]) {
					if d.DeletedAt != nil {
						trashed = append(trashed, DocumentTag{DocumentID: d.ID, TagID: t})
					} else {
						links = append(links, DocumentTag{DocumentID: d.ID, TagID: t})
					}
				}
			}
		}
		for chunk := range chunks(links, 5000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return fmt.Errorf("add document tags: %w", err)
			}
		}
		for chunk := range chunks(trashed, 5000) {
			if _, err := s.wdb(ctx).NewInsert().Model(&chunk).ModelTableExpr("trash_document_tags").Exec(ctx); err != nil {
				return fmt.Errorf("add the tags of documents in the trash: %w", err)
			}
		}
		if err := s.ResetIDSequences(ctx, "documents"); err != nil {
			return err
		}
		if more != nil {
			return more(ctx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import %d documents (ids %d–%d): %w", len(docs), docs[0].ID, docs[len(docs)-1].ID, translate(err))
	}
	return nil
}

// ImportedTables are the tables whose ids an import keeps.
var ImportedTables = []string{"correspondents", "document_types", "tags", "users", "saved_views", "saved_view_rules", "documents",
	"storage_paths", "custom_fields", "groups", "notes", "custom_field_instances", "share_links"}

// ResetIDSequences moves PostgreSQL's identity sequences of the given
// tables (all of ImportedTables when none are given) past their largest
// id, so rows inserted with explicit ids do not collide with the next
// generated one. SQLite's AUTOINCREMENT follows explicit ids by itself,
// so there it does nothing.
func (s *Store) ResetIDSequences(ctx context.Context, tables ...string) error {
	if !s.IsPostgres() {
		return nil
	}
	if len(tables) == 0 {
		tables = ImportedTables
	}
	for _, t := range tables {
		// setval(…, max, true) makes the next value max+1; an empty table
		// restarts at 1 (is_called false).
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM %[1]s`, t)
		if _, err := s.wdb(ctx).ExecContext(ctx, q); err != nil {
			return fmt.Errorf("reset id sequence of %s: %w", t, translate(err))
		}
	}
	return nil
}

// AllCorrespondents returns every correspondent, by id.
func (s *Store) AllCorrespondents(ctx context.Context) ([]Correspondent, error) {
	return allByID[Correspondent](ctx, s, "correspondents")
}

// AllDocumentTypes returns every document type, by id.
func (s *Store) AllDocumentTypes(ctx context.Context) ([]DocumentType, error) {
	return allByID[DocumentType](ctx, s, "document types")
}

// AllTags returns every tag, by id.
func (s *Store) AllTags(ctx context.Context) ([]Tag, error) {
	return allByID[Tag](ctx, s, "tags")
}

// AllSavedViews returns every user's saved views, by id.
func (s *Store) AllSavedViews(ctx context.Context) ([]SavedView, error) {
	return allByID[SavedView](ctx, s, "saved views")
}

// AllSavedViewRules returns the rules of every saved view, by id.
func (s *Store) AllSavedViewRules(ctx context.Context) ([]SavedViewRule, error) {
	return allByID[SavedViewRule](ctx, s, "saved view rules")
}

// AllUsers returns every user, by id.
func (s *Store) AllUsers(ctx context.Context) ([]User, error) {
	return allByID[User](ctx, s, "users")
}

func allByID[T any](ctx context.Context, s *Store, what string) ([]T, error) {
	items := []T{}
	if err := s.db(ctx).NewSelect().Model(&items).OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, translate(err))
	}
	return items, nil
}
