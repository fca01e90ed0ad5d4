package storetest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
)

// SeedConfig sizes the data Seed creates.
type SeedConfig struct {
	Documents      int
	Tags           int
	Correspondents int
	Types          int
	// ContentBytes is the approximate content length per document
	// (default 2000).
	ContentBytes int
	// RandSeed picks the data (default 1); the same seed gives the same data.
	RandSeed uint64
}

// SeedResult tells what Seed created.
type SeedResult struct {
	TagIDs           []int // TagIDs[0] is an inbox tag
	CorrespondentIDs []int
	TypeIDs          []int
	DocumentIDs      []int
}

// vocabulary is the mixed English/German word list of seeded text.
var vocabulary = strings.Fields(`invoice Rechnung bank account Konto statement Kontoauszug insurance
Versicherung contract Vertrag tax Steuer Finanzamt salary Gehalt payment Zahlung reminder Mahnung
electricity Strom water Wasser rent Miete landlord Vermieter doctor Arzt Krankenkasse prescription
Rezept receipt Quittung order Bestellung delivery Lieferung amount Betrag total Summe due fällig
date Datum customer Kunde number Nummer address Anschrift Straße street city Stadt München Köln
Berlin Hamburg Zürich Wien letter Brief notice Bescheid pension Rente school Schule grade Zeugnis
car Auto repair Reparatur Werkstatt fuel Tankstelle phone Telefon internet Vertragslaufzeit
cancellation Kündigung warranty Garantie manual Handbuch ärger Übersicht Änderung Größe
please bitte thank danke regards Grüße sincerely freundlichen the der die das and und of von
for für with mit your Ihre our unsere this diese month Monat year Jahr quarter Quartal euro EUR`)

func words(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[r.IntN(len(vocabulary))])
	}
	return b.String()
}

// Seed fills s with deterministic random data: cfg.Tags tags (the first
// an inbox tag on about 5% of documents, the others with a skewed
// popularity), correspondents and types (about 10% of documents have
// none of each), and documents with 0–4 tags, created over 2010–2021.
// Documents are inserted in one transaction with batched statements.
func Seed(ctx context.Context, s *store.Store, cfg SeedConfig) (SeedResult, error) {
	var res SeedResult
	if cfg.ContentBytes == 0 {
		cfg.ContentBytes = 2000
	}
	if cfg.RandSeed == 0 {
		cfg.RandSeed = 1
	}
	r := rand.New(rand.NewPCG(cfg.RandSeed, 0x5eed))
	err := s.InTx(ctx, func(ctx context.Context) error {
		for i := 0; i < cfg.Tags; i++ {
			inbox := i == 0
			name := fmt.Sprintf("%s %d", words(r, 1), i)
			t, err := s.CreateTag(ctx, store.TagInput{Name: &name, IsInboxTag: &inbox})
			if err != nil {
				return err
			}
			res.TagIDs = append(res.TagIDs, t.ID)
		}
		for i := 0; i < cfg.Correspondents; i++ {
			name := fmt.Sprintf("%s %s %d", words(r, 1), words(r, 1), i)
			c, err := s.CreateCorrespondent(ctx, store.CorrespondentInput{Name: &name})
			if err != nil {
				return err
			}
			res.CorrespondentIDs = append(res.CorrespondentIDs, c.ID)
		}
		for i := 0; i < cfg.Types; i++ {
			name := fmt.Sprintf("%s %d", words(r, 1), i)
			t, err := s.CreateDocumentType(ctx, store.DocumentTypeInput{Name: &name})
			if err != nil {
				return err
			}
			res.TypeIDs = append(res.TypeIDs, t.ID)
		}
		start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
		span := int64(12 * 365 * 24 * time.Hour)
		wordsPerDoc := cfg.ContentBytes / 7
		const batch = 5000
		for done := 0; done < cfg.Documents; done += batch {
			n := min(batch, cfg.Documents-done)
			docs := make([]*store.Document, n)
			tags := make([][]int, n)
			for i := range docs {
				k := done + i
				created := start.Add(time.Duration(r.Int64N(span))).Truncate(time.Second)
				d := &store.Document{
					Title:            words(r, 2+r.IntN(4)),
					Content:          words(r, wordsPerDoc),
					Created:          created,
					Added:            created.Add(time.Duration(r.IntN(72)) * time.Hour),
					Modified:         created.Add(time.Duration(r.IntN(720)) * time.Hour),
					MimeType:         "application/pdf",
					Checksum:         checksum(k),
					OriginalFilename: fmt.Sprintf("scan_%06d.pdf", k),
				}
				if len(res.CorrespondentIDs) > 0 && r.IntN(10) > 0 {
					d.CorrespondentID = &res.CorrespondentIDs[r.IntN(len(res.CorrespondentIDs))]
				}
				if len(res.TypeIDs) > 0 && r.IntN(10) > 0 {
					d.DocumentTypeID = &res.TypeIDs[r.IntN(len(res.TypeIDs))]
				}
				if r.IntN(3) == 0 {
					asn := k + 1
					d.ArchiveSerialNumber = &asn
				}
				tags[i] = seedTags(r, res.TagIDs)
				docs[i] = d
			}
			if err := s.CreateDocuments(ctx, docs, tags); err != nil {
				return err
			}
			for _, d := range docs {
				res.DocumentIDs = append(res.DocumentIDs, d.ID)
			}
		}
		return nil
	})
	if err != nil {
		return SeedResult{}, fmt.Errorf("seed: %w", err)
	}
	return res, nil
}

// seedTags picks 0–4 tags: the inbox tag (ids[0]) for 5% of documents,
// the others skewed towards the first (tag i+1 is about 1/(i+1)^0.5 as
// popular as tag 1).
func seedTags(r *rand.Rand, ids []int) []int {
	if len(ids) == 0 {
		return nil
	}
	var out []int
	if r.IntN(20) == 0 {
		out = append(out, ids[0])
	}
	if len(ids) == 1 {
		return out
	}
	n := r.IntN(5)
	for range n {
		u := r.Float64()
		i := 1 + int(math.Pow(u, 2)*float64(len(ids)-1))
		out = append(out, ids[min(i, len(ids)-1)])
	}
	return out
}

func checksum(i int) string {
	sum := md5.Sum([]byte(fmt.Sprintf("document %d", i)))
	return hex.EncodeToString(sum[:])
}
