package rest

import (
	"context"
	"path"
	"time"

	"github.com/quirehq/quire/store"
)

// downloadName09 is a document's public file name in the 0.9 dialect
// (API §8.1, C7): the slug of "YYYYMMDD: <correspondent> - <title>"
// (either part alone when the other is missing; created in UTC) with
// the served file's extension, e.g. 20201130-acme-invoice-112020.pdf.
func (a *API) downloadName09(ctx context.Context, id int, served string) (string, error) {
	d, err := a.res.Query().Document(ctx, id)
	if err != nil {
		return "", err
	}
	c, err := a.res.Document().Correspondent(ctx, d)
	if err != nil {
		return "", err
	}
	display := d.Created.In(time.UTC).Format("20060102")
	switch {
	case c != nil && d.Title != "":
		display += ": " + c.Name + " - " + d.Title
	case c != nil:
		display += ": " + c.Name
	case d.Title != "":
		display += ": " + d.Title
	}
	return store.Slugify(display) + path.Ext(served), nil
}
