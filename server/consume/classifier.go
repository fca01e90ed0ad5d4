package consume

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
	"github.com/quirehq/quire/store/match"
)

func (s *Service) classifierPath() string { return filepath.Join(s.cfg.DataDir, "classifier.json") }

func (s *Service) loadClassifier() {
	f, err := os.Open(s.classifierPath())
	if err != nil {
		return
	}
	defer f.Close()
	c, err := match.DecodeClassifier(f)
	if err != nil {
		s.logger.Warn("classifier file unusable; it will be retrained", "error", err)
		return
	}
	s.setClassifier(c)
}

func (s *Service) currentClassifier() *match.Classifier {
	s.classifierMu.RLock()
	defer s.classifierMu.RUnlock()
	return s.classifier
}

func (s *Service) setClassifier(c *match.Classifier) {
	s.classifierMu.Lock()
	s.classifier = c
	s.classifierMu.Unlock()
}

// RetrainClassifier asks the trainer to check the training data soon
// (call it after documents' assignments or the objects' algorithms
// changed). It does not block.
func (s *Service) RetrainClassifier() {
	select {
	case s.retrain <- struct{}{}:
	default:
	}
}

func (s *Service) trainLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.ClassifierInterval)
	defer t.Stop()
	for {
		if _, err := s.TrainClassifier(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("train classifier", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.retrain:
			// Debounce bursts of changes (bulk edits).
			select {
			case <-ctx.Done():
				return
			case <-time.After(5 * time.Second):
			}
		}
	}
}

// TrainClassifier trains the classifier on the filed documents (those
// without an inbox tag) when the training data changed since the stored
// model, persists it (classifier.json, written atomically) and uses it
// from now on. It reports whether it retrained. A log line "classifier"
// is stored like paperless's.
func (s *Service) TrainClassifier(ctx context.Context) (bool, error) {
	all := store.Page{Size: store.MaxPageSize}
	var corr, typ, tag []int
	cs, _, err := s.store.Correspondents(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if c.MatchingAlgorithm == store.MatchAuto {
			corr = append(corr, c.ID)
		}
	}
	ds, _, err := s.store.DocumentTypes(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return false, err
	}
	for _, d := range ds {
		if d.MatchingAlgorithm == store.MatchAuto {
			typ = append(typ, d.ID)
		}
	}
	ts, _, err := s.store.Tags(ctx, store.NameFilter{}, nil, all)
	if err != nil {
		return false, err
	}
	for _, t := range ts {
		if t.MatchingAlgorithm == store.MatchAuto {
			tag = append(tag, t.ID)
		}
	}
	tr := match.NewTrainer(corr, typ, tag)
	if err := s.store.TrainingDocuments(ctx, func(d store.TrainingDocument) error {
		tr.Add(d)
		return ctx.Err()
	}); err != nil {
		return false, err
	}
	if old := s.currentClassifier(); old != nil && old.DataHash == tr.DataHash() {
		return false, nil
	}
	c := tr.Classifier()
	var buf bytes.Buffer
	if err := c.Encode(&buf); err != nil {
		return false, err
	}
	if _, err := files.WriteAtomic(s.classifierPath(), &buf, 0); err != nil {
		return false, err
	}
	s.setClassifier(c)
	s.logger.Info("classifier trained", "documents", c.Docs)
	return true, nil
}
