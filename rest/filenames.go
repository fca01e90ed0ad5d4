package rest

import (
	"context"

	"github.com/quirehq/quire/resolvers"
)

// publicNames are a document's file names as paperless-ng 1.x shows them
// in original_file_name and archived_file_name: its public names
// ("<created date> <correspondent> <title>.ext"), the names its downloads
// carry, not the uploaded name (API.md §13.4).
type publicNames struct {
	original string
	archived *string
}

// fillPublicNames sets the public names of a page of v1/v2 documents that
// show either key, through the same resolvers as the downloads' names.
// Without a consumer (no file store) the stored names stay.
func (a *API) fillPublicNames(ctx context.Context, out []documentJSON) error {
	if len(out) == 0 || a.res.Consumer == nil {
		return nil
	}
	if v := out[0].v; v != 1 && v != 2 {
		return nil
	}
	const nameKeys = 1<<10 | 1<<11 // original_file_name, archived_file_name in documentFields
	if out[0].mask&nameKeys == 0 {
		return nil
	}
	dr := a.res.Document()
	return each(len(out), func(i int) error {
		j := &out[i]
		orig, err := dr.DownloadFileName(ctx, j.d)
		if err != nil {
			return err
		}
		arch, err := a.res.ArchivedFileName(ctx, j.d)
		if err != nil {
			return err
		}
		j.names = &publicNames{original: orig, archived: arch}
		return nil
	})
}

// originalName is original_file_name in versions 1 and 2.
func (j documentJSON) originalName() string {
	if j.names != nil {
		return j.names.original
	}
	return j.d.OriginalFilename
}

// archivedName is archived_file_name in versions 1 and 2.
func (j documentJSON) archivedName() *string {
	if j.names != nil {
		return j.names.archived
	}
	return resolvers.ArchivedFileName(j.d)
}
