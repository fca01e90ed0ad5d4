package consume

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/match"
)

// Suggestions are the objects matching rules and the classifier pick for
// a content, in name order (§13.5).
type Suggestions struct {
	Correspondents []int `json:"correspondents"`
	Tags           []int `json:"tags"`
	DocumentTypes  []int `json:"document_types"`
	StoragePaths   []int `json:"storage_paths"`

	inbox []int
	names names
}

// names maps object ids to names, for log lines and file names, and
// storage paths to their parsed templates (a path whose template does not
// parse is absent: its documents get the default names).
type names struct {
	corr, typ, tag, tagSlug, path map[int]string
	pathFormat                    map[int]*files.Format
}

// suggest evaluates every correspondent, document type, tag and storage
// path against
// content: an object is a candidate when its rule matches or the
// classifier predicts it (paperless's match_correspondents & co.).
func (s *Service) suggest(ctx context.Context, content string, rl *runLog) (*Suggestions, error) {
	all := store.Page{Size: store.MaxPageSize}
	corrs, _, err := s.store.Correspondents(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return nil, err
	}
	types, _, err := s.store.DocumentTypes(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return nil, err
	}
	tags, _, err := s.store.Tags(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return nil, err
	}
	paths, _, err := s.store.StoragePaths(ctx, store.StoragePathFilter{}, nil, all)
	if err != nil {
		return nil, err
	}
	pred := s.currentClassifier().Predict(content)
	sug := &Suggestions{Correspondents: []int{}, Tags: []int{}, DocumentTypes: []int{}, StoragePaths: []int{},
		names: names{corr: map[int]string{}, typ: map[int]string{}, tag: map[int]string{}, tagSlug: map[int]string{},
			path: map[int]string{}, pathFormat: map[int]*files.Format{}}}
	check := func(kind, name string, m store.Matching) bool {
		ok, err := match.MatchesErr(m, content)
		if err != nil && rl != nil {
			rl.add(store.LevelWarning, "Error while processing regular expression %s of %s %s: %v", m.Match, kind, name, err)
		}
		return ok
	}
	for _, c := range corrs {
		sug.names.corr[c.ID] = c.Name
		if check("correspondent", c.Name, c.Matching) || (pred.CorrespondentID != nil && *pred.CorrespondentID == c.ID && c.MatchingAlgorithm == store.MatchAuto) {
			sug.Correspondents = append(sug.Correspondents, c.ID)
		}
	}
	for _, d := range types {
		sug.names.typ[d.ID] = d.Name
		if check("document type", d.Name, d.Matching) || (pred.DocumentTypeID != nil && *pred.DocumentTypeID == d.ID && d.MatchingAlgorithm == store.MatchAuto) {
			sug.DocumentTypes = append(sug.DocumentTypes, d.ID)
		}
	}
	for _, t := range tags {
		sug.names.tag[t.ID] = t.Name
		sug.names.tagSlug[t.ID] = t.Slug
		if t.IsInboxTag {
			sug.inbox = append(sug.inbox, t.ID)
		}
		if check("tag", t.Name, t.Matching) || (slices.Contains(pred.TagIDs, t.ID) && t.MatchingAlgorithm == store.MatchAuto) {
			sug.Tags = append(sug.Tags, t.ID)
		}
	}
	for _, p := range paths {
		sug.names.path[p.ID] = p.Name
		if f, err := files.ParseTemplate(p.Path); err == nil {
			sug.names.pathFormat[p.ID] = f
		} else {
			s.logger.Warn("storage path template does not parse, its documents get the default names", "storage_path_id", p.ID, "error", err)
		}
		// The classifier does not predict storage paths: AUTO never matches.
		if check("storage path", p.Name, p.Matching) {
			sug.StoragePaths = append(sug.StoragePaths, p.ID)
		}
	}
	return sug, nil
}

// Suggestions returns what matching and the classifier pick for a stored
// document's current content (GET /api/documents/<pk>/suggestions/).
func (s *Service) Suggestions(ctx context.Context, doc *store.Document) (*Suggestions, error) {
	return s.suggest(ctx, doc.Content, nil)
}

// display renders a document as paperless's log lines do:
// "YYYYMMDD: <correspondent> - <title>" (§8.1, unslugified).
func (s *Service) display(d *store.Document, n names) string {
	date := d.Created.In(s.cfg.Location).Format("20060102")
	corr := ""
	if d.CorrespondentID != nil {
		corr = n.corr[*d.CorrespondentID]
	}
	switch {
	case corr != "" && d.Title != "":
		return fmt.Sprintf("%s: %s - %s", date, corr, d.Title)
	case corr != "":
		return date + ": " + corr
	case d.Title != "":
		return date + ": " + d.Title
	}
	return date
}

func slogLevel(level int) slog.Level {
	switch {
	case level >= store.LevelError:
		return slog.LevelError
	case level >= store.LevelWarning:
		return slog.LevelWarn
	case level >= store.LevelInfo:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}
