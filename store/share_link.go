package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// ShareLink is a public download link to one document (NGX.md §6.11):
// /share/<slug> serves the document's archive version (or its original)
// to anyone holding the slug, without login, until Expiration (nil:
// never). The slug is 50 random characters, so it cannot be guessed.
type ShareLink struct {
	bun.BaseModel `bun:"table:share_links,alias:sl"`

	ID          int                  `bun:"id,pk,autoincrement"`
	Slug        string               `bun:"slug,notnull"`
	DocumentID  int                  `bun:"document_id,notnull"`
	Expiration  *time.Time           `bun:"expiration"`
	FileVersion ShareLinkFileVersion `bun:"file_version,notnull"`
	OwnerID     *int                 `bun:"owner_id"`
	Created     time.Time            `bun:"created,notnull"`
}

// Expired reports whether the link's expiration is past at now.
func (l *ShareLink) Expired(now time.Time) bool {
	return l.Expiration != nil && !l.Expiration.After(now)
}

// ShareLinkFileVersion says which file a share link serves.
type ShareLinkFileVersion string

// The files a share link can serve: the archive version (the original
// when the document has none) or the original.
const (
	ShareLinkArchive  ShareLinkFileVersion = "archive"
	ShareLinkOriginal ShareLinkFileVersion = "original"
)

// ShareLinkSlugLength is the length of a share link's slug.
const ShareLinkSlugLength = 50

// slugAlphabet is what slugs are made of (URL-safe; 62^50 ≈ 2^297).
const slugAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newSlug returns ShareLinkSlugLength characters drawn uniformly from
// slugAlphabet with crypto/rand.
func newSlug() (string, error) {
	out := make([]byte, 0, ShareLinkSlugLength)
	buf := make([]byte, 64)
	for len(out) < ShareLinkSlugLength {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("draw a share link slug: %w", err)
		}
		for _, b := range buf {
			// 62*4 = 248: reject 248..255 so every character is equally likely
			if b < 248 && len(out) < ShareLinkSlugLength {
				out = append(out, slugAlphabet[int(b)%len(slugAlphabet)])
			}
		}
	}
	return string(out), nil
}

// ShareLinkInput creates a share link.
type ShareLinkInput struct {
	DocumentID  int
	Expiration  *time.Time
	FileVersion *ShareLinkFileVersion // nil: archive
}

// ShareLinkFilter selects share links; unset fields do not restrict.
type ShareLinkFilter struct {
	IDs        []int
	Document   *int
	Created    *DateFilter
	Expiration *DateFilter
}

// ShareLinkOrderField names a field share links can be ordered by.
type ShareLinkOrderField string

// Share link order fields.
const (
	ShareLinkOrderID         ShareLinkOrderField = "ID"
	ShareLinkOrderCreated    ShareLinkOrderField = "CREATED"
	ShareLinkOrderExpiration ShareLinkOrderField = "EXPIRATION"
	ShareLinkOrderDocument   ShareLinkOrderField = "DOCUMENT"
)

// ShareLinkOrder is one sort key of share links.
type ShareLinkOrder struct {
	Field     ShareLinkOrderField
	Direction Direction
}

// shareLinkConds keeps the links p may see: links it may see (owner,
// unowned, or granted) to documents it may see that are not in the trash.
func shareLinkConds(p *Principal) []cond {
	doc := "SELECT d.id FROM documents AS d WHERE d.deleted_at IS NULL"
	dc := visibleCond(p, ModelDocument, "d")
	var args []any
	if dc.sql != "" {
		doc += " AND " + dc.sql
		args = dc.args
	}
	out := []cond{{"sl.document_id IN (" + doc + ")", args}}
	if c := visibleCond(p, ModelShareLink, "sl"); c.sql != "" {
		out = append(out, c)
	}
	return out
}

// ShareLinks returns one page of the share links matching f that the
// caller may see (see shareLinkConds), in order (default: created, then
// id), and how many match. Validation on orderBy for an unknown field.
func (s *Store) ShareLinks(ctx context.Context, f ShareLinkFilter, order []ShareLinkOrder, p Page) ([]ShareLink, int, error) {
	orderSQL, err := shareLinkOrderSQL(order)
	if err != nil {
		return nil, 0, err
	}
	conds := append(shareLinkConds(PrincipalFrom(ctx)), s.shareLinkFilterConds(f)...)
	n, err := where(s.db(ctx).NewSelect().Model((*ShareLink)(nil)), conds).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count share links: %w", err)
	}
	total := int(n)
	links := []ShareLink{}
	_, limit, offset := p.Limit(total)
	if total == 0 || offset >= total {
		return links, total, nil
	}
	err = where(s.db(ctx).NewSelect().Model(&links), conds).OrderExpr(orderSQL).
		Limit(int64(limit)).Offset(int64(offset)).Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list share links: %w", err)
	}
	return links, total, nil
}

func (s *Store) shareLinkFilterConds(f ShareLinkFilter) []cond {
	var out []cond
	if len(f.IDs) > 0 {
		out = append(out, cond{"sl.id IN (?)", []any{bun.In(f.IDs)}})
	}
	if f.Document != nil {
		out = append(out, cond{"sl.document_id = ?", []any{*f.Document}})
	}
	out = append(out, s.dateConds("sl.created", f.Created)...)
	out = append(out, s.dateConds("sl.expiration", f.Expiration)...)
	return out
}

func shareLinkOrderSQL(order []ShareLinkOrder) (string, error) {
	if len(order) == 0 {
		order = []ShareLinkOrder{{Field: ShareLinkOrderCreated, Direction: Asc}}
	}
	sql, byID := "", false
	for _, o := range order {
		dir, err := direction(o.Direction)
		if err != nil {
			return "", err
		}
		var col string
		switch o.Field {
		case ShareLinkOrderID:
			col, byID = "sl.id", true
		case ShareLinkOrderCreated:
			col = "sl.created"
		case ShareLinkOrderExpiration:
			col = "sl.expiration"
			dir += nullsEdge(dir)
		case ShareLinkOrderDocument:
			col = "sl.document_id"
		default:
			return "", &Error{Code: Validation, Message: fmt.Sprintf("unknown order field %q", o.Field),
				Fields: map[string][]string{"orderBy": {fmt.Sprintf("%q is not a valid choice.", o.Field)}}}
		}
		sql += col + " " + dir + ", "
	}
	if !byID {
		return sql + "sl.id ASC", nil
	}
	return sql[:len(sql)-2], nil
}

// ShareLink returns one share link the caller may see (NotFound
// otherwise, also when its document is in the trash).
func (s *Store) ShareLink(ctx context.Context, id int) (*ShareLink, error) {
	l := new(ShareLink)
	q := s.db(ctx).NewSelect().Model(l).Where("sl.id = ?", id)
	err := where(q, shareLinkConds(PrincipalFrom(ctx))).Scan(ctx)
	if isNoRows(err) {
		return nil, notFound("share link", id)
	}
	if err != nil {
		return nil, fmt.Errorf("load share link %d: %w", id, err)
	}
	return l, nil
}

// ShareLinksByDocuments returns, per document id, the share links of it
// the caller may see, oldest first (an empty list for every id).
func (s *Store) ShareLinksByDocuments(ctx context.Context, docIDs []int) (map[int][]ShareLink, error) {
	out := make(map[int][]ShareLink, len(docIDs))
	for _, id := range docIDs {
		out[id] = []ShareLink{}
	}
	if len(docIDs) == 0 {
		return out, nil
	}
	var links []ShareLink
	q := s.db(ctx).NewSelect().Model(&links).Where("sl.document_id IN (?)", bun.In(uniqueInts(docIDs)))
	if err := where(q, shareLinkConds(PrincipalFrom(ctx))).OrderExpr("sl.created, sl.id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load share links of documents: %w", err)
	}
	for _, l := range links {
		out[l.DocumentID] = append(out[l.DocumentID], l)
	}
	return out, nil
}

// CreateShareLink makes a share link to a document the caller may see,
// owned by the caller (unowned when made by the system), with a fresh
// slug. Validation on documentId when the document does not exist, is in
// the trash or is hidden from the caller; on expiration when it is not in
// the future; on fileVersion for an unknown version.
func (s *Store) CreateShareLink(ctx context.Context, in ShareLinkInput) (*ShareLink, error) {
	now := s.Now()
	l := &ShareLink{DocumentID: in.DocumentID, FileVersion: ShareLinkArchive, Created: now}
	fe := FieldErrors{}
	if in.FileVersion != nil {
		switch *in.FileVersion {
		case ShareLinkArchive, ShareLinkOriginal:
			l.FileVersion = *in.FileVersion
		default:
			fe.Add("fileVersion", fmt.Sprintf("%q is not a valid choice.", string(*in.FileVersion)))
		}
	}
	if in.Expiration != nil {
		if !in.Expiration.After(now) {
			fe.Add("expiration", "The expiration must be in the future.")
		}
		t := in.Expiration.UTC()
		l.Expiration = &t
	}
	if p := PrincipalFrom(ctx); p != nil {
		uid := p.UserID
		l.OwnerID = &uid
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.checkLiveVisible(ctx, in.DocumentID); err != nil {
			if ErrorCode(err) != NotFound {
				return err
			}
			fe.Add("documentId", invalidPK(in.DocumentID))
		}
		if err := fe.Err(); err != nil {
			return err
		}
		slug, err := newSlug()
		if err != nil {
			return err
		}
		l.Slug = slug
		_, err = s.wdb(ctx).NewInsert().Model(l).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create share link: %w", err)
	}
	return l, nil
}

// DeleteShareLink deletes a share link: NotFound when the caller may not
// see it, Forbidden when it may see but not change it.
func (s *Store) DeleteShareLink(ctx context.Context, id int) error {
	err := s.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.ShareLink(ctx, id); err != nil {
			return err
		}
		if c := changeableCond(PrincipalFrom(ctx), ModelShareLink, "sl"); c.sql != "" {
			ok, err := s.db(ctx).NewSelect().Model((*ShareLink)(nil)).Where("sl.id = ?", id).Where(c.sql, c.args...).Exists(ctx)
			if err != nil {
				return err
			}
			if !ok {
				return Errorf(Forbidden, "You do not have permission to perform this action.")
			}
		}
		_, err := s.wdb(ctx).NewDelete().TableExpr("share_links").Where("id = ?", id).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete share link %d: %w", id, err)
	}
	return nil
}

// SharedDocument resolves a public share link, as the system (no
// principal applies: the slug is the credential): the link and its
// document. NotFound when no link has the slug or its document is in the
// trash; Forbidden ("expired") when the link has expired.
func (s *Store) SharedDocument(ctx context.Context, slug string) (*ShareLink, *Document, error) {
	ctx = WithPrincipal(ctx, nil)
	l := new(ShareLink)
	err := s.db(ctx).NewSelect().Model(l).Where("sl.slug = ?", slug).Scan(ctx)
	if isNoRows(err) || (err == nil && len(slug) != ShareLinkSlugLength) {
		return nil, nil, Errorf(NotFound, "share link not found")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("look up share link: %w", err)
	}
	if l.Expired(s.Now()) {
		return l, nil, Errorf(Forbidden, "share link expired")
	}
	d, err := s.Document(ctx, l.DocumentID)
	if err != nil {
		if ErrorCode(err) == NotFound {
			return l, nil, Errorf(NotFound, "share link not found")
		}
		return nil, nil, err
	}
	return l, d, nil
}
