package consume

import (
	"context"
	"time"
)

// trashEvery is how often the sweeper empties the trash of documents
// that stayed there EmptyTrashDelay.
const trashEvery = time.Hour

// purgeTrashIfDue runs purgeTrash at the first sweep and then once every
// trashEvery (only the sweeper goroutine calls it). Several Quire
// processes on one database may purge at once: each document is deleted
// by one of them, and files are removed by the one whose deletion
// committed.
func (s *Service) purgeTrashIfDue(ctx context.Context) {
	if !s.lastTrashPurge.IsZero() && time.Since(s.lastTrashPurge) < trashEvery {
		return
	}
	s.lastTrashPurge = time.Now()
	if _, err := s.purgeTrash(ctx, time.Now()); err != nil && ctx.Err() == nil {
		s.logger.Error("empty the trash", "error", err)
	}
}

// purgeTrash deletes for good the documents that went to the trash more
// than EmptyTrashDelay before now, then their files (paperless-ngx's
// empty_trash task), and returns how many went. A file that cannot be
// removed is logged; the orphan sweep later moves it to lost+found.
func (s *Service) purgeTrash(ctx context.Context, now time.Time) (int, error) {
	docs, err := s.store.PurgeTrash(ctx, now.Add(-s.cfg.EmptyTrashDelay))
	if err != nil {
		return 0, err
	}
	for i := range docs {
		if err := s.DeleteFiles(ctx, &docs[i]); err != nil {
			s.logger.ErrorContext(ctx, "remove files of a document emptied from the trash", "document_id", docs[i].ID, "error", err)
		}
	}
	if len(docs) > 0 {
		s.logger.InfoContext(ctx, "trash emptied", "documents", len(docs), "delay_days", int(s.cfg.EmptyTrashDelay/(24*time.Hour)))
	}
	return len(docs), nil
}
