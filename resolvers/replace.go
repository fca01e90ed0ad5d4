package resolvers

import (
	"context"

	"github.com/quirehq/quire/store"
)

// Replace semantics (HTTP PUT in the REST layer): like the update
// mutations, but every required field of the object must be given, as
// paperless's serializers require them on PUT. The error codes are those
// of the updates, plus Validation "This field is required." on each
// missing required field (GraphQL field names: name, correspondentId,
// documentTypeId, tagIds, showOnDashboard, showInSidebar, filterRules).

// ReplaceCorrespondent replaces a correspondent's writable fields; name is
// required. Errors: NotFound, Validation, Conflict (name taken).
func (r *Resolver) ReplaceCorrespondent(ctx context.Context, id int, in store.CorrespondentInput) (*store.Correspondent, error) {
	if err := requireName(in.Name); err != nil {
		return nil, err
	}
	return r.updateCorrespondent(ctx, id, in)
}

// ReplaceDocumentType is ReplaceCorrespondent for document types.
func (r *Resolver) ReplaceDocumentType(ctx context.Context, id int, in store.DocumentTypeInput) (*store.DocumentType, error) {
	if err := requireName(in.Name); err != nil {
		return nil, err
	}
	return r.updateDocumentType(ctx, id, in)
}

// ReplaceTag is ReplaceCorrespondent for tags.
func (r *Resolver) ReplaceTag(ctx context.Context, id int, in store.TagInput) (*store.Tag, error) {
	if err := requireName(in.Name); err != nil {
		return nil, err
	}
	return r.updateTag(ctx, id, in)
}

// ReplaceDocument replaces a document's writable fields: the
// correspondent, document type (both may be null) and tag set must be
// given; title, content, created and archive serial number are optional.
// Errors: those of the updateDocument mutation plus the required fields.
func (r *Resolver) ReplaceDocument(ctx context.Context, id int, u store.DocumentUpdate) (*store.Document, error) {
	fe := store.FieldErrors{}
	if !u.CorrespondentID.IsSet() {
		fe.Add("correspondentId", msgRequired)
	}
	if !u.DocumentTypeID.IsSet() {
		fe.Add("documentTypeId", msgRequired)
	}
	if !u.TagIDs.IsSet() {
		fe.Add("tagIds", msgRequired)
	}
	return r.saveDocument(ctx, id, u, fe)
}

// ReplaceSavedView replaces one of the caller's saved views: the fields
// required on create are required. Errors: Unauthenticated, NotFound
// (missing or another user's view), Validation.
func (r *Resolver) ReplaceSavedView(ctx context.Context, id int, in store.SavedViewInput) (*store.SavedView, error) {
	return r.saveSavedView(ctx, id, in, true)
}

// ReplaceSavedViewKeepingPlacement is ReplaceSavedView for clients whose
// views carry no placement (paperless-ngx version 10 keeps the dashboard
// and sidebar lists in the UI settings): showOnDashboard and showInSidebar
// left out keep their stored values. Errors as ReplaceSavedView.
func (r *Resolver) ReplaceSavedViewKeepingPlacement(ctx context.Context, id int, in store.SavedViewInput) (*store.SavedView, error) {
	if in.ShowOnDashboard == nil || in.ShowInSidebar == nil {
		u, err := currentUser(ctx)
		if err != nil {
			return nil, err
		}
		v, err := r.Store.SavedView(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		if in.ShowOnDashboard == nil {
			in.ShowOnDashboard = &v.ShowOnDashboard
		}
		if in.ShowInSidebar == nil {
			in.ShowInSidebar = &v.ShowInSidebar
		}
	}
	return r.saveSavedView(ctx, id, in, true)
}

func requireName(name *string) error {
	if name == nil {
		fe := store.FieldErrors{}
		fe.Add("name", msgRequired)
		return fe.Err()
	}
	return nil
}
