package consume

import (
	"time"

	"github.com/quirehq/quire/server/consume/parse"
)

// suggestedDates is how many content dates a document's suggestions list
// (paperless-ngx's NUMBER_OF_SUGGESTED_DATES default).
const suggestedDates = 3

// SuggestedDates are the first distinct dates in content, read with the
// date order and time zone the consumption reads created dates with.
func (s *Service) SuggestedDates(content string) []time.Time {
	found := parse.FindDates(content, s.cfg.DateOrder, s.store.Now(), s.cfg.Location, suggestedDates)
	out := make([]time.Time, len(found))
	for i, d := range found {
		out[i] = d.Date
	}
	return out
}
