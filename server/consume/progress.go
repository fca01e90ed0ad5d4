package consume

import (
	"context"
	"sync"
)

// Consumer status values of /ws/status/ messages.
const (
	StatusStarting = "STARTING"
	StatusWorking  = "WORKING"
	StatusSuccess  = "SUCCESS"
	StatusFailed   = "FAILED"
)

// Progress is one consumer status message, with the fields and JSON
// names of paperless-ng 1.x's /ws/status/ frames (§13.14).
type Progress struct {
	Filename        *string `json:"filename"`
	TaskID          *string `json:"task_id"`
	CurrentProgress int     `json:"current_progress"`
	MaxProgress     int     `json:"max_progress"`
	Status          string  `json:"status"`
	Message         *string `json:"message"`
	DocumentID      *int    `json:"document_id"`
}

// hub fans progress messages out to subscribers. A subscriber that does
// not keep up loses messages rather than slowing consumption.
type hub struct {
	mu   sync.Mutex
	subs map[chan Progress]struct{}
}

// Subscribe returns a channel of the progress messages of the tasks this
// process runs (and uploads it accepts), closed when ctx ends. Messages
// are dropped for a subscriber whose buffer (256) is full.
func (s *Service) Subscribe(ctx context.Context) <-chan Progress {
	ch := make(chan Progress, 256)
	s.hub.mu.Lock()
	if s.hub.subs == nil {
		s.hub.subs = map[chan Progress]struct{}{}
	}
	s.hub.subs[ch] = struct{}{}
	s.hub.mu.Unlock()
	go func() {
		<-ctx.Done()
		s.hub.mu.Lock()
		delete(s.hub.subs, ch)
		close(ch)
		s.hub.mu.Unlock()
	}()
	return ch
}

func (s *Service) publish(p Progress) {
	if p.MaxProgress == 0 {
		p.MaxProgress = 100
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	for ch := range s.hub.subs {
		select {
		case ch <- p:
		default:
		}
	}
}
