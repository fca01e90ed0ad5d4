package store

import (
	"context"
	"fmt"
	"strings"
)

// unsupportedBulk are the bulk methods Quire cannot carry out yet: they
// rewrite the stored PDF (rotate, merge, split, delete_pages, edit_pdf,
// remove_password) or re-run consumption on a stored file (reprocess).
var unsupportedBulk = map[BulkEditMethod]bool{
	BulkReprocess: true, BulkRotate: true, BulkMerge: true, BulkSplit: true,
	BulkDeletePages: true, BulkEditPDF: true, BulkRemovePassword: true,
}

// UnsupportedBulkMethod is the Validation error on `method` for a bulk
// method Quire does not carry out yet; name is the method as the caller
// spelled it.
func UnsupportedBulkMethod(name string) error {
	msg := name + " is not supported by this server yet"
	return &Error{Code: Validation, Message: msg, Fields: map[string][]string{"method": {msg}}}
}

// bulkValidateOnly checks SET_PERMISSIONS parameters as paperless-ngx
// would and changes nothing. The resolvers carry SET_PERMISSIONS out
// themselves (owners and grants, resolvers/permissions*.go); only a
// caller going straight to the store ends here.
func (s *Store) bulkValidateOnly(ctx context.Context, b BulkEdit) error {
	switch b.Method {
	case BulkSetPermissions:
		if b.OwnerID != nil {
			missing, err := s.missingIDs(ctx, "users", []int{*b.OwnerID})
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return objectError("Specified owner cannot be found")
			}
		}
		missing, err := s.missingIDs(ctx, "users", b.PermissionUserIDs)
		if err != nil {
			return err
		}
		if len(missing) > 0 || len(uniqueInts(b.PermissionUserIDs)) != len(b.PermissionUserIDs) {
			return objectError("Some users in set_permissions don't exist or were specified twice.")
		}
		if len(b.PermissionGroupIDs) > 0 {
			return objectError("Some groups in set_permissions don't exist or were specified twice.")
		}
	}
	return nil
}

// ObjectType names the objects POST /api/bulk_edit_objects/ works on.
type ObjectType string

// The object types of bulk_edit_objects.
const (
	ObjectTags           ObjectType = "TAGS"
	ObjectCorrespondents ObjectType = "CORRESPONDENTS"
	ObjectDocumentTypes  ObjectType = "DOCUMENT_TYPES"
	ObjectStoragePaths   ObjectType = "STORAGE_PATHS"
)

// ObjectOperation is what bulk_edit_objects does.
type ObjectOperation string

// The operations of bulk_edit_objects.
const (
	ObjectSetPermissions ObjectOperation = "SET_PERMISSIONS"
	ObjectDelete         ObjectOperation = "DELETE"
)

// BulkObjects is one bulk operation on tags, correspondents, document
// types or storage paths. SET_PERMISSIONS is carried out by the
// resolvers (owners and grants); here its parameters are only validated.
type BulkObjects struct {
	ObjectIDs          []int
	ObjectType         ObjectType
	Operation          ObjectOperation
	OwnerID            *int
	PermissionUserIDs  []int
	PermissionGroupIDs []int
	Merge              bool
}

// BulkEditObjects applies b in one transaction and returns the ids it
// acted on. Validation errors, before anything changes: objectIds when
// the list is empty ("objects must not be empty", object-level), names a
// missing object or one twice ("Some tags don't exist or were specified
// twice."); the SET_PERMISSIONS parameters as BulkEdit's.
func (s *Store) BulkEditObjects(ctx context.Context, b BulkObjects) ([]int, error) {
	kinds := map[ObjectType]*namedKind{ObjectTags: &tagKind, ObjectCorrespondents: &correspondentKind,
		ObjectDocumentTypes: &documentTypeKind, ObjectStoragePaths: &storagePathKind}
	k, ok := kinds[b.ObjectType]
	if !ok {
		return nil, &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
			"objectType": {fmt.Sprintf("%q is not a valid choice.", string(b.ObjectType))}}}
	}
	if b.Operation != ObjectSetPermissions && b.Operation != ObjectDelete {
		return nil, &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
			"operation": {fmt.Sprintf("%q is not a valid choice.", string(b.Operation))}}}
	}
	if len(b.ObjectIDs) == 0 {
		return nil, objectError("objects must not be empty")
	}
	wire := strings.ToLower(string(b.ObjectType))
	twice := &Error{Code: Validation, Message: "invalid input", Fields: map[string][]string{
		"objectIds": {fmt.Sprintf("Some %s don't exist or were specified twice.", wire)}}}
	ids := sortedInts(append([]int(nil), b.ObjectIDs...))
	err := s.InTx(ctx, func(ctx context.Context) error {
		missing, err := s.missingIDs(ctx, k.table, ids)
		if err != nil {
			return err
		}
		if len(missing) > 0 || len(uniqueInts(ids)) != len(ids) {
			return twice
		}
		if b.Operation == ObjectSetPermissions {
			return s.bulkValidateOnly(ctx, BulkEdit{Method: BulkSetPermissions, OwnerID: b.OwnerID,
				PermissionUserIDs: b.PermissionUserIDs, PermissionGroupIDs: b.PermissionGroupIDs})
		}
		for _, id := range ids {
			if err := s.deleteNamed(ctx, *k, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("bulk edit %s: %w", wire, err)
	}
	return ids, nil
}
