package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/quirehq/quire/store"
)

// MsgForbidden is DRF's refusal of a request the caller's global
// permissions do not allow (NGX.md §4.1).
const MsgForbidden = "You do not have permission to perform this action."

// opPerms is the one table of global permissions (NGX.md §4.1): for each
// GraphQL root field, the codename a user who is not a superuser must
// hold to call it ("" = any authenticated user; the resolver may check
// more, e.g. superuser-only user administration). Reads need view_<model>,
// creation add_, changes change_, deletion delete_. REST routes name the
// operation they stand for (rest/permissions.go), so both check the same
// entry. An operation missing here is refused to every user but
// superusers, and TestOperationPermissions fails until it is listed.
var opPerms = map[string]string{
	// Documents.
	"documents": "view_document", "document": "view_document", "documentIds": "view_document",
	"documentMetadata": "view_document", "documentSuggestions": "view_document", "selectionData": "view_document",
	"search": "view_document", "moreLike": "view_document", "autocomplete": "view_document",
	"globalSearch": "view_document", "nextArchiveSerialNumber": "view_document", "documentHistory": "view_document",
	"uploadDocument": "add_document", "updateDocument": "change_document", "deleteDocument": "delete_document",
	// bulkEditDocuments needs change_document; its resolver adds
	// delete_document (and ownership) for the methods that delete.
	"bulkEditDocuments": "change_document",
	// bulkEditObjects checks change_/delete_ of its object type itself.
	"bulkEditObjects": "",
	// Statistics count only what the caller may see.
	"statistics": "",

	"correspondents": "view_correspondent", "correspondent": "view_correspondent",
	"createCorrespondent": "add_correspondent", "updateCorrespondent": "change_correspondent",
	"deleteCorrespondent": "delete_correspondent",
	"documentTypes":       "view_documenttype", "documentType": "view_documenttype",
	"createDocumentType": "add_documenttype", "updateDocumentType": "change_documenttype",
	"deleteDocumentType": "delete_documenttype",
	"tags":               "view_tag", "tag": "view_tag", "createTag": "add_tag", "updateTag": "change_tag", "deleteTag": "delete_tag",
	"savedViews": "view_savedview", "savedView": "view_savedview", "createSavedView": "add_savedview",
	"updateSavedView": "change_savedview", "deleteSavedView": "delete_savedview",
	"storagePaths": "view_storagepath", "storagePath": "view_storagepath", "createStoragePath": "add_storagepath",
	"updateStoragePath": "change_storagepath", "deleteStoragePath": "delete_storagepath", "testStoragePath": "view_storagepath",
	"customFields": "view_customfield", "customField": "view_customfield", "createCustomField": "add_customfield",
	"updateCustomField": "change_customfield", "deleteCustomField": "delete_customfield",
	"shareLinks": "view_sharelink", "shareLink": "view_sharelink", "createShareLink": "add_sharelink",
	"updateShareLink": "change_sharelink", "deleteShareLink": "delete_sharelink",
	"documentNotes": "view_note", "addNote": "add_note", "deleteNote": "delete_note",
	// The trash shows the caller's own and unowned documents (paperless-ngx
	// asks only for a login); restoring and emptying need delete_document
	// and, per document, the right to change it.
	"trash": "", "restoreDocuments": "delete_document", "emptyTrash": "delete_document",

	"consumptionTasks": "view_paperlesstask", "consumptionTask": "view_paperlesstask", "tasks": "view_paperlesstask",
	"acknowledgeTasks": "change_paperlesstask",
	"consume":          "add_document",
	// Progress of the caller's own uploads, like /ws/status/.
	"consumptionProgress": "",

	"logEntries": "view_logentry", "logEntry": "view_logentry", "logNames": "view_logentry", "logLines": "view_logentry",

	"uiSettings": "view_uisettings", "setUiSettings": "add_uisettings",
	// The caller's own account.
	"me": "", "profile": "", "updateProfile": "", "regenerateApiToken": "", "apiToken": "",
	// Superusers and staff only, checked by the resolver.
	"serverStatus": "",

	"users": "view_user", "user": "view_user", "createUser": "add_user", "updateUser": "change_user",
	"deleteUser": "delete_user",
	"groups":     "view_group", "group": "view_group", "createGroup": "add_group", "updateGroup": "change_group",
	"deleteGroup": "delete_group",
}

// OperationPermission returns the codename operation op needs ("" for
// none) and whether op is listed at all.
func OperationPermission(op string) (string, bool) {
	c, ok := opPerms[op]
	return c, ok
}

// Authorize checks the caller's global permission for operation op (a
// GraphQL root field name; see opPerms). Superusers and the system (no
// principal) pass. Errors: Forbidden with MsgForbidden.
func Authorize(ctx context.Context, op string) error {
	p := store.PrincipalFrom(ctx)
	if !p.Restricted() {
		return nil
	}
	if c, ok := opPerms[op]; ok && (c == "" || p.Has(c)) {
		return nil
	}
	return store.Errorf(store.Forbidden, MsgForbidden)
}

// has reports whether the caller holds the global permission codename.
func has(ctx context.Context, codename string) bool {
	return store.PrincipalFrom(ctx).Has(codename)
}

// requirePerm is Authorize for a codename rather than an operation.
func requirePerm(ctx context.Context, codename string) error {
	if has(ctx, codename) {
		return nil
	}
	return store.Errorf(store.Forbidden, MsgForbidden)
}

// RequirePermission is a gqlgen field middleware applying Authorize to
// every root field of a query, mutation or subscription (introspection
// fields pass).
func RequirePermission(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return next(ctx)
	}
	switch fc.Object { // only root fields have these parent types
	case "Query", "Mutation", "Subscription":
		switch fc.Field.Name {
		case "__schema", "__type", "__typename":
			return next(ctx)
		}
		if err := Authorize(ctx, fc.Field.Name); err != nil {
			return nil, err
		}
	}
	return next(ctx)
}
