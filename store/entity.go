package store

import (
	"time"

	"github.com/uptrace/bun"
)

// MatchingAlgorithm says how a correspondent, document type or tag is
// matched against a document's content. The numbers are paperless-ng's.
type MatchingAlgorithm int

// The matching algorithms, numbered as in paperless (NONE is ngx's 0).
const (
	MatchNone    MatchingAlgorithm = 0
	MatchAny     MatchingAlgorithm = 1
	MatchAll     MatchingAlgorithm = 2
	MatchLiteral MatchingAlgorithm = 3
	MatchRegex   MatchingAlgorithm = 4
	MatchFuzzy   MatchingAlgorithm = 5
	MatchAuto    MatchingAlgorithm = 6
)

// Matching holds the fields every matchable object shares.
type Matching struct {
	Match             string            `bun:"match,notnull"`
	MatchingAlgorithm MatchingAlgorithm `bun:"matching_algorithm,notnull"`
	IsInsensitive     bool              `bun:"is_insensitive,notnull"`
}

// Correspondent is who a document comes from.
type Correspondent struct {
	bun.BaseModel `bun:"table:correspondents"`

	ID      int    `bun:"id,pk,autoincrement"`
	Name    string `bun:"name,notnull"`
	NameKey string `bun:"name_key,notnull"` // case-folded name: uniqueness and ordering
	Slug    string `bun:"slug,notnull"`
	OwnerID *int   `bun:"owner_id"` // nil: unowned, visible to everyone
	Matching
}

// DocumentType is what kind of document it is (invoice, letter, ...).
type DocumentType struct {
	bun.BaseModel `bun:"table:document_types"`

	ID      int    `bun:"id,pk,autoincrement"`
	Name    string `bun:"name,notnull"`
	NameKey string `bun:"name_key,notnull"`
	Slug    string `bun:"slug,notnull"`
	OwnerID *int   `bun:"owner_id"` // nil: unowned, visible to everyone
	Matching
}

// Tag labels documents; inbox tags are added to every new document.
type Tag struct {
	bun.BaseModel `bun:"table:tags"`

	ID         int    `bun:"id,pk,autoincrement"`
	Name       string `bun:"name,notnull"`
	NameKey    string `bun:"name_key,notnull"`
	Slug       string `bun:"slug,notnull"`
	Color      string `bun:"color,notnull"` // "#rrggbb"; API v1's palette index is derived from it
	IsInboxTag bool   `bun:"is_inbox_tag,notnull"`
	OwnerID    *int   `bun:"owner_id"`  // nil: unowned, visible to everyone
	ParentID   *int   `bun:"parent_id"` // nil: a root tag (NGX.md §7.3)
	Matching
}

// Document is one archived document. Relations are held as foreign keys;
// tags live in DocumentTag rows.
type Document struct {
	bun.BaseModel `bun:"table:documents"`

	ID                  int        `bun:"id,pk,autoincrement"`
	Title               string     `bun:"title,notnull"`
	TitleKey            string     `bun:"title_key,notnull"` // case-folded title, for ordering; the store sets it
	Content             string     `bun:"content,notnull"`
	CorrespondentID     *int       `bun:"correspondent_id"`
	DocumentTypeID      *int       `bun:"document_type_id"`
	Created             time.Time  `bun:"created,notnull"`
	Modified            time.Time  `bun:"modified,notnull"`
	Added               time.Time  `bun:"added,notnull"`
	ArchiveSerialNumber *int       `bun:"archive_serial_number"`
	MimeType            string     `bun:"mime_type,notnull"`
	Checksum            string     `bun:"checksum,notnull"`          // MD5 hex of the original
	ArchiveChecksum     *string    `bun:"archive_checksum"`          // MD5 hex of the archive version
	Filename            *string    `bun:"filename"`                  // original, relative to the originals folder
	ArchiveFilename     *string    `bun:"archive_filename"`          // archive version, relative to the archive folder
	OriginalFilename    string     `bun:"original_filename,notnull"` // the name it was uploaded under
	PageCount           *int       `bun:"page_count"`                // pages of the original; nil when not known
	DeletedAt           *time.Time `bun:"deleted_at"`                // when it went to the trash; nil when not in it
	OwnerID             *int       `bun:"owner_id"`                  // nil: unowned, visible to everyone
	StoragePathID       *int       `bun:"storage_path_id"`           // names the files by the path's template; nil: the filename format
}

// DocumentTag links a document to a tag.
type DocumentTag struct {
	bun.BaseModel `bun:"table:document_tags"`

	DocumentID int `bun:"document_id,pk"`
	TagID      int `bun:"tag_id,pk"`
}

// SavedView is a user's stored document-list filter.
type SavedView struct {
	bun.BaseModel `bun:"table:saved_views"`

	ID              int     `bun:"id,pk,autoincrement"`
	UserID          int     `bun:"user_id,notnull"`
	Name            string  `bun:"name,notnull"`
	ShowOnDashboard bool    `bun:"show_on_dashboard,notnull"`
	ShowInSidebar   bool    `bun:"show_in_sidebar,notnull"`
	SortField       *string `bun:"sort_field"`
	SortReverse     bool    `bun:"sort_reverse,notnull"`
	// How the view shows its documents; nil: the client's default.
	PageSize      *int                  `bun:"page_size"`
	DisplayMode   *SavedViewDisplayMode `bun:"display_mode"`
	DisplayFields []string              `bun:"display_fields,type:text,nullzero"` // JSON array
}

// SavedViewRule is one filter rule of a saved view (paperless rule types 0–21).
type SavedViewRule struct {
	bun.BaseModel `bun:"table:saved_view_rules"`

	ID          int     `bun:"id,pk,autoincrement"`
	SavedViewID int     `bun:"saved_view_id,notnull"`
	RuleType    int     `bun:"rule_type,notnull"`
	Value       *string `bun:"value"`
}

// Log levels, as paperless numbers them.
const (
	LevelDebug    = 10
	LevelInfo     = 20
	LevelWarning  = 30
	LevelError    = 40
	LevelCritical = 50
)

// LogEntry is one structured log record (consumption, matching, ...).
// Group ties together all lines of one consumption task.
type LogEntry struct {
	bun.BaseModel `bun:"table:log_entries"`

	ID         int       `bun:"id,pk,autoincrement"`
	Created    time.Time `bun:"created,notnull"`
	Logger     string    `bun:"logger,notnull"` // log name: "paperless", "mail"
	Message    string    `bun:"message,notnull"`
	Group      *string   `bun:"group_id"` // UUID
	Level      int       `bun:"level,notnull"`
	DocumentID *int      `bun:"document_id"`
}

// User is an account. Password holds an encoded hash (see server/auth),
// never the password.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID          int        `bun:"id,pk,autoincrement"`
	Username    string     `bun:"username,notnull"`
	UsernameKey string     `bun:"username_key,notnull"`
	Password    string     `bun:"password,notnull"`
	Email       string     `bun:"email,notnull"`
	FirstName   string     `bun:"first_name,notnull"`
	LastName    string     `bun:"last_name,notnull"`
	IsSuperuser bool       `bun:"is_superuser,notnull"`
	IsStaff     bool       `bun:"is_staff,notnull"`
	IsActive    bool       `bun:"is_active,notnull"`
	DateJoined  time.Time  `bun:"date_joined,notnull"`
	LastLogin   *time.Time `bun:"last_login"`
	// AccessVersion changes whenever the user's groups or global
	// permissions do (see Store.Access); only the store writes it.
	AccessVersion int `bun:"access_version,notnull"`
	// Access is the user's groups and permissions as the authenticator
	// loaded them (nil when not loaded); not a column.
	Access *Principal `bun:"-"`
}

// Token is a user's API token (`Authorization: Token <key>`), one per
// user. Like paperless (DRF authtoken) the key itself is stored, because
// POST /api/token/ must hand the same key out again.
type Token struct {
	bun.BaseModel `bun:"table:tokens"`

	Key     string    `bun:"key,pk"`
	UserID  int       `bun:"user_id,notnull"`
	Created time.Time `bun:"created,notnull"`
}

// Session is a browser login (cookie `sessionid`). Only a SHA-256 digest
// of the cookie value is stored, so a database leak yields no live sessions.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	Digest  string    `bun:"digest,pk"`
	UserID  int       `bun:"user_id,notnull"`
	Created time.Time `bun:"created,notnull"`
	Expires time.Time `bun:"expires,notnull"`
}
