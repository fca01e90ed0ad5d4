package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ManifestName is the manifest's file name inside an export folder.
const ManifestName = "manifest.json"

// The keys paperless-ng's exporter adds beside "fields" in a document
// entry (documents/settings.py EXPORTER_FILE_NAME, EXPORTER_ARCHIVE_NAME,
// EXPORTER_THUMBNAIL_NAME; the same in 0.9.x and 1.x).
const (
	keyFile      = "__exported_file_name__"
	keyArchive   = "__exported_archive_name__"
	keyThumbnail = "__exported_thumbnail_name__"
)

// The Django model labels of the manifest.
const (
	modelCorrespondent = "documents.correspondent"
	modelDocumentType  = "documents.documenttype"
	modelTag           = "documents.tag"
	modelDocument      = "documents.document"
	modelSavedView     = "documents.savedview"
	modelSavedViewRule = "documents.savedviewfilterrule"
	modelUser          = "auth.user"
)

// record is one manifest entry as read. Unknown keys are ignored.
type record struct {
	Model     string          `json:"model"`
	PK        int             `json:"pk"`
	Fields    json.RawMessage `json:"fields"`
	File      string          `json:"__exported_file_name__"`
	Archive   string          `json:"__exported_archive_name__"`
	Thumbnail string          `json:"__exported_thumbnail_name__"`
}

// matchingIn holds the fields correspondents, types and tags share.
type matchingIn struct {
	Name              string `json:"name"`
	Match             string `json:"match"`
	MatchingAlgorithm *int   `json:"matching_algorithm"`
	IsInsensitive     *bool  `json:"is_insensitive"`
}

type tagIn struct {
	matchingIn
	Colour     *int   `json:"colour"` // palette index 1–13 (0.9.x, 1.x)
	Color      string `json:"color"`  // hex (paperless-ngx)
	IsInboxTag bool   `json:"is_inbox_tag"`
}

type documentIn struct {
	Correspondent       *int    `json:"correspondent"`
	Title               string  `json:"title"`
	DocumentType        *int    `json:"document_type"`
	Content             string  `json:"content"`
	MimeType            string  `json:"mime_type"`
	Checksum            string  `json:"checksum"`
	ArchiveChecksum     *string `json:"archive_checksum"`
	Created             string  `json:"created"`
	Modified            string  `json:"modified"`
	Added               string  `json:"added"`
	StorageType         string  `json:"storage_type"`
	ArchiveSerialNumber *int    `json:"archive_serial_number"`
	OriginalFilename    *string `json:"original_filename"` // 1.x
	Tags                []int   `json:"tags"`
}

type savedViewIn struct {
	User            int     `json:"user"`
	Name            string  `json:"name"`
	ShowOnDashboard bool    `json:"show_on_dashboard"`
	ShowInSidebar   bool    `json:"show_in_sidebar"`
	SortField       *string `json:"sort_field"`
	SortReverse     bool    `json:"sort_reverse"`
}

type savedViewRuleIn struct {
	SavedView int     `json:"saved_view"`
	RuleType  int     `json:"rule_type"`
	Value     *string `json:"value"`
}

type userIn struct {
	Password    string  `json:"password"`
	LastLogin   *string `json:"last_login"`
	IsSuperuser bool    `json:"is_superuser"`
	Username    string  `json:"username"`
	FirstName   string  `json:"first_name"`
	LastName    string  `json:"last_name"`
	Email       string  `json:"email"`
	IsStaff     bool    `json:"is_staff"`
	IsActive    *bool   `json:"is_active"`
	DateJoined  string  `json:"date_joined"`
}

// readManifest streams the entries of dir's manifest to fn, one at a
// time, so a manifest of any size is read in bounded memory.
func readManifest(dir string, fn func(i int, r *record) error) error {
	f, err := os.Open(manifestPath(dir))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("no %s in the folder: not a paperless-ng export", ManifestName)
		}
		return fmt.Errorf("open manifest: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return errors.New("read manifest: not a JSON list")
	}
	for i := 0; dec.More(); i++ {
		var r record
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("read manifest entry %d: %w", i+1, err)
		}
		if err := fn(i, &r); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read manifest: %w", err)
	}
	return nil
}

// parseTime reads a Django-serialised datetime: ISO 8601 with "Z" or an
// offset (DjangoJSONEncoder), and, leniently, without a zone (read as
// UTC) or a bare date (midnight in loc).
func parseTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "T", 1)); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time", s)
}

// formatTime writes a datetime as DjangoJSONEncoder does: UTC, "Z",
// milliseconds only when the time has a fraction.
func formatTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 != 0 {
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	}
	return t.Format("2006-01-02T15:04:05Z07:00")
}
