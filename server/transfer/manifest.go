package transfer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
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

	// paperless-ngx (2.x, 3.x) adds these.
	modelGroup          = "auth.group"
	modelPermission     = "auth.permission"
	modelContentType    = "contenttypes.contenttype"
	modelStoragePath    = "documents.storagepath"
	modelNote           = "documents.note"
	modelCustomField    = "documents.customfield"
	modelCustomFieldVal = "documents.customfieldinstance"
	modelShareLink      = "documents.sharelink"
	modelUISettings     = "documents.uisettings"
	modelUserObjectPerm = "guardian.userobjectpermission"
	modelGroupObjPerm   = "guardian.groupobjectpermission"
	modelLogEntry       = "auditlog.logentry"
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
	Owner             *int   `json:"owner"` // paperless-ngx
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
	Parent     *int   `json:"tn_parent"` // paperless-ngx 2.19+: the tag tree
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

	// paperless-ngx
	Owner           *int    `json:"owner"`
	StoragePath     *int    `json:"storage_path"`
	PageCount       *int    `json:"page_count"`
	DeletedAt       *string `json:"deleted_at"`
	Filename        *string `json:"filename"`
	ArchiveFilename *string `json:"archive_filename"`
	RootDocument    *int    `json:"root_document"` // 3.x: a later version of another document
}

type savedViewIn struct {
	User            int      `json:"user"`
	Owner           *int     `json:"owner"` // paperless-ngx: instead of user
	Name            string   `json:"name"`
	ShowOnDashboard bool     `json:"show_on_dashboard"`
	ShowInSidebar   bool     `json:"show_in_sidebar"`
	SortField       *string  `json:"sort_field"`
	SortReverse     bool     `json:"sort_reverse"`
	PageSize        *int     `json:"page_size"`
	DisplayMode     *string  `json:"display_mode"`
	DisplayFields   []string `json:"display_fields"`
}

type savedViewRuleIn struct {
	SavedView int     `json:"saved_view"`
	RuleType  int     `json:"rule_type"`
	Value     *string `json:"value"`
}

type userIn struct {
	Password        string  `json:"password"`
	LastLogin       *string `json:"last_login"`
	IsSuperuser     bool    `json:"is_superuser"`
	Username        string  `json:"username"`
	FirstName       string  `json:"first_name"`
	LastName        string  `json:"last_name"`
	Email           string  `json:"email"`
	IsStaff         bool    `json:"is_staff"`
	IsActive        *bool   `json:"is_active"`
	DateJoined      string  `json:"date_joined"`
	Groups          []int   `json:"groups"`           // auth.group ids
	UserPermissions []int   `json:"user_permissions"` // auth.permission ids
}

// manifestFiles lists dir's manifests: manifest.json first, then the
// per-document manifests of paperless-ngx's --split-manifest
// ("<name>-manifest.json", anywhere below dir), in name order.
func manifestFiles(dir string) ([]string, error) {
	if _, err := os.Stat(manifestPath(dir)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no %s in the folder: not a paperless export", ManifestName)
		}
		return nil, fmt.Errorf("open manifest: %w", err)
	}
	var split []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), "-manifest.json") {
			split = append(split, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list the split manifests: %w", err)
	}
	sort.Strings(split)
	return append([]string{manifestPath(dir)}, split...), nil
}

// readManifest streams the entries of dir's manifests (see manifestFiles)
// to fn, one at a time, so manifests of any size are read in bounded
// memory.
func readManifest(dir string, fn func(i int, r *record) error) error {
	paths, err := manifestFiles(dir)
	if err != nil {
		return err
	}
	i := 0
	for _, p := range paths {
		if err := readManifestFile(p, func(r *record) error {
			err := fn(i, r)
			i++
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

func readManifestFile(path string, fn func(r *record) error) error {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 256<<10))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("read %s: not a JSON list", name)
	}
	for i := 0; dec.More(); i++ {
		var r record
		if err := dec.Decode(&r); err != nil {
			return fmt.Errorf("read %s entry %d: %w", name, i+1, err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// Format is the paperless version an export comes from.
type Format string

// The export formats Import reads.
const (
	FormatNG09   Format = "paperless-ng 0.9"
	FormatNG1    Format = "paperless-ng 1.x"
	FormatNGX1   Format = "paperless-ngx 1.x" // 1.14+: owners and permissions (earlier ones read as ng 1.x)
	FormatNGX2   Format = "paperless-ngx 2.x" // the models of ngx 1.x, with custom fields, notes, share links
	FormatNGX3   Format = "paperless-ngx 3.x" // SHA-256 checksums, created a date, view placement in ui settings
	metadataName        = "metadata.json"     // ngx 1.12+: {"version": "2.20.3", ...}
	versionName         = "version.json"      // ngx 1.x before metadata.json
)

// exportVersion reads the paperless version an export names in its
// metadata.json or version.json ("" when it has neither).
func exportVersion(dir string) (string, error) {
	for _, name := range []string{metadataName, versionName} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		var m struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		if m.Version != "" {
			return m.Version, nil
		}
	}
	return "", nil
}

// detectFormat names an export's format from its version file and, when
// it has none (paperless-ng, early ngx), from the fields of its first
// document entry (fields: nil when the export has no documents).
func detectFormat(version string, fields map[string]json.RawMessage) Format {
	v := strings.TrimPrefix(version, "v")
	switch {
	case strings.HasPrefix(v, "3."):
		return FormatNGX3
	case strings.HasPrefix(v, "1."):
		// ngx 1.x: as ng 1.x until owners arrived (1.14)
		if _, ok := fields["owner"]; ok {
			return FormatNGX1
		}
		return FormatNG1
	case v != "" && !strings.HasPrefix(v, "0."):
		return FormatNGX2
	}
	if fields == nil {
		return FormatNG1
	}
	if c, ok := fields["checksum"]; ok && len(bytes.Trim(c, `"`)) == 64 {
		return FormatNGX3
	}
	if _, ok := fields["owner"]; ok {
		return FormatNGX2
	}
	if _, ok := fields["storage_path"]; ok {
		return FormatNGX2
	}
	if _, ok := fields["original_filename"]; ok {
		return FormatNG1
	}
	return FormatNG09
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
