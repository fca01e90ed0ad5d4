package store

import (
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// CorrespondentInput creates or changes a correspondent; nil fields are
// left alone (on create: defaults). Name is required on create.
type CorrespondentInput struct {
	Name              *string
	Match             *string
	MatchingAlgorithm *MatchingAlgorithm
	IsInsensitive     *bool
	// OwnerID is the owner on create (nil: unowned); an update ignores
	// it (SetPermissions changes owners).
	OwnerID *int
}

// DocumentTypeInput creates or changes a document type, like CorrespondentInput.
type DocumentTypeInput struct {
	Name              *string
	Match             *string
	MatchingAlgorithm *MatchingAlgorithm
	IsInsensitive     *bool
	// OwnerID is the owner on create (nil: unowned); an update ignores
	// it (SetPermissions changes owners).
	OwnerID *int
}

// TagInput creates or changes a tag, like CorrespondentInput. Color is
// "#rrggbb" (default "#a6cee3").
type TagInput struct {
	Name              *string
	Color             *string
	Match             *string
	MatchingAlgorithm *MatchingAlgorithm
	IsInsensitive     *bool
	IsInboxTag        *bool
	// OwnerID is the owner on create, as in CorrespondentInput.
	OwnerID *int
	// ParentID, when set, makes the tag a child of that tag (nil: a
	// root); see the tag hierarchy rules of UpdateTag.
	ParentID graphql.Omittable[*int]
}

// DocumentUpdate changes a document. Omittable fields distinguish "set to
// null" from "leave alone"; TagIDs, when set, replaces the tag set.
type DocumentUpdate struct {
	Title               *string
	Content             *string
	CorrespondentID     graphql.Omittable[*int]
	DocumentTypeID      graphql.Omittable[*int]
	TagIDs              graphql.Omittable[[]int]
	Created             *time.Time
	ArchiveSerialNumber graphql.Omittable[*int]
	StoragePathID       graphql.Omittable[*int]
	// CustomFields, when set, replaces the document's custom fields
	// (SetDocumentCustomFields).
	CustomFields graphql.Omittable[[]CustomFieldValueInput]
}

// SavedViewRuleInput is one filter rule of a saved view.
type SavedViewRuleInput struct {
	RuleType int
	Value    *string
}

// SavedViewInput creates or changes a saved view. FilterRules, when set,
// replaces all rules.
type SavedViewInput struct {
	Name            *string
	ShowOnDashboard *bool
	ShowInSidebar   *bool
	SortField       graphql.Omittable[*string]
	SortReverse     *bool
	FilterRules     graphql.Omittable[[]SavedViewRuleInput]
	PageSize        graphql.Omittable[*int]
	DisplayMode     graphql.Omittable[*SavedViewDisplayMode]
	DisplayFields   graphql.Omittable[[]string] // an empty list is stored as null
}

// BulkEditMethod names a bulk operation on a set of documents.
type BulkEditMethod string

// Bulk edit methods (paperless's names, upper-cased).
const (
	BulkSetCorrespondent BulkEditMethod = "SET_CORRESPONDENT"
	BulkSetDocumentType  BulkEditMethod = "SET_DOCUMENT_TYPE"
	BulkAddTag           BulkEditMethod = "ADD_TAG"
	BulkRemoveTag        BulkEditMethod = "REMOVE_TAG"
	BulkModifyTags       BulkEditMethod = "MODIFY_TAGS"
	BulkDelete           BulkEditMethod = "DELETE"
	// paperless-ngx's further methods (NGX.md §6.8), see BulkEditOps.
	BulkSetStoragePath     BulkEditMethod = "SET_STORAGE_PATH"
	BulkModifyCustomFields BulkEditMethod = "MODIFY_CUSTOM_FIELDS"
	BulkSetPermissions     BulkEditMethod = "SET_PERMISSIONS"
	BulkReprocess          BulkEditMethod = "REPROCESS"
	BulkRotate             BulkEditMethod = "ROTATE"
	BulkMerge              BulkEditMethod = "MERGE"
	BulkSplit              BulkEditMethod = "SPLIT"
	BulkDeletePages        BulkEditMethod = "DELETE_PAGES"
	BulkEditPDF            BulkEditMethod = "EDIT_PDF"
	BulkRemovePassword     BulkEditMethod = "REMOVE_PASSWORD"
)

// BulkEdit is one bulk operation. Which parameters are used depends on
// Method: CorrespondentID (nil clears), DocumentTypeID (nil clears),
// TagID, or AddTagIDs and RemoveTagIDs.
type BulkEdit struct {
	DocumentIDs     []int
	Method          BulkEditMethod
	CorrespondentID *int
	DocumentTypeID  *int
	TagID           *int
	AddTagIDs       []int
	RemoveTagIDs    []int
	// All selects the documents Filter matches (nil: every document)
	// instead of DocumentIDs; the resolver resolves it.
	All    bool
	Filter *DocumentFilter
	// SET_STORAGE_PATH: StoragePathID (nil clears).
	StoragePathID *int
	// MODIFY_CUSTOM_FIELDS: AddCustomFieldIDs (attached, values kept),
	// AddCustomFieldValues (attached with these values) and
	// RemoveCustomFieldIDs.
	AddCustomFieldIDs    []int
	AddCustomFieldValues []CustomFieldValueInput
	RemoveCustomFieldIDs []int
	// SET_PERMISSIONS: OwnerID (nil: none), the users and groups given
	// rights, and Merge.
	OwnerID            *int
	PermissionUserIDs  []int
	PermissionGroupIDs []int
	Merge              bool
}

// Statistics are the archive's headline counts. DocumentsInbox is nil
// when no tag is an inbox tag.
type Statistics struct {
	DocumentsTotal int
	DocumentsInbox *int
	// InboxTagIDs are the inbox tags, by id.
	InboxTagIDs []int
	// FileTypes counts documents per MIME type, most first.
	FileTypes          []MimeTypeCount
	CharacterCount     int
	TagCount           int
	CorrespondentCount int
	DocumentTypeCount  int
	// CurrentASN is the highest archive serial number (0 when none).
	CurrentASN int
}

// MimeTypeCount is how many documents have one MIME type.
type MimeTypeCount struct {
	MimeType string `bun:"mime_type"`
	Count    int    `bun:"n"`
}

// ObjectCount pairs an object id with a number of documents.
type ObjectCount struct {
	ID            int
	DocumentCount int
}

// SelectionData counts, for every correspondent, tag and document type,
// how many of a set of documents reference it (zeros included).
type SelectionData struct {
	Correspondents []ObjectCount
	Tags           []ObjectCount
	DocumentTypes  []ObjectCount
	StoragePaths   []ObjectCount
}
