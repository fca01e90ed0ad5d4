package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/store"
)

// NGXVersion is the paperless-ngx version an ngx export names in its
// metadata.json: the release whose models its manifest follows
// (testdata/paperless-ngx-3.0.5-models.json). paperless-ngx's importer
// only warns when its own version differs.
const NGXVersion = "3.0.5"

// NGXOptions are the paperless-ngx exporter's layout switches, for an
// export with Options.NGX set (document_exporter's flags of the same
// names).
type NGXOptions struct {
	// SplitManifest writes each document, with its notes and custom field
	// values, to "<name>-manifest.json" beside its file (--split-manifest).
	SplitManifest bool
	// DataOnly writes the manifest and no files (--data-only).
	DataOnly bool
	// NoThumbnail and NoArchive leave thumbnails or archive versions out
	// (--no-thumbnail, --no-archive).
	NoThumbnail, NoArchive bool
	// FolderPrefix puts the files into originals/, archive/, thumbnails/
	// and json/ (--use-folder-prefix).
	FolderPrefix bool
	// CompareChecksums decides whether a file already in the folder is
	// current by its SHA-256 instead of its size and time
	// (--compare-checksums).
	CompareChecksums bool
}

// The Django models an ngx export names as (app label, model): those
// of Quire's global permissions (store.PermissionModels, which follow
// paperless-ngx's) and the two of Django's own it needs. Content types
// and their default permissions are written for these, since
// paperless-ngx's importer replaces both tables with the manifest's
// (paperless-ngx's `migrate`, run at every start, adds those of its
// other models back).
var ngxContentTypes = func() [][2]string {
	app := map[string]string{"user": "auth", "group": "auth", "mailaccount": "paperless_mail", "mailrule": "paperless_mail",
		"processedmail": "paperless_mail", "logentry": "auditlog", "applicationconfiguration": "paperless"}
	out := [][2]string{{"contenttypes", "contenttype"}, {"auth", "permission"}}
	for _, m := range store.PermissionModels {
		a := app[m]
		if a == "" {
			a = "documents"
		}
		out = append(out, [2]string{a, m})
	}
	return out
}()

// The records of an ngx export (paperless-ngx 3.0.5's field names).
type (
	ngxContentType struct {
		AppLabel string `json:"app_label"`
		Model    string `json:"model"`
	}
	ngxPermission struct {
		Name        string `json:"name"`
		ContentType int    `json:"content_type"`
		Codename    string `json:"codename"`
	}
	ngxMatching struct {
		Owner             *int   `json:"owner"`
		Name              string `json:"name"`
		Match             string `json:"match"`
		MatchingAlgorithm int    `json:"matching_algorithm"`
		IsInsensitive     bool   `json:"is_insensitive"`
	}
	ngxTag struct {
		TNAncestorsPKs     string `json:"tn_ancestors_pks"`
		TNAncestorsCount   int    `json:"tn_ancestors_count"`
		TNChildrenPKs      string `json:"tn_children_pks"`
		TNChildrenCount    int    `json:"tn_children_count"`
		TNDepth            int    `json:"tn_depth"`
		TNDescendantsPKs   string `json:"tn_descendants_pks"`
		TNDescendantsCount int    `json:"tn_descendants_count"`
		TNIndex            int    `json:"tn_index"`
		TNLevel            int    `json:"tn_level"`
		TNPriority         int    `json:"tn_priority"`
		TNOrder            int    `json:"tn_order"`
		TNSiblingsPKs      string `json:"tn_siblings_pks"`
		TNSiblingsCount    int    `json:"tn_siblings_count"`
		ngxMatching
		Color      string `json:"color"`
		IsInboxTag bool   `json:"is_inbox_tag"`
		TNParent   *int   `json:"tn_parent"`
	}
	ngxDocument struct {
		DeletedAt           *string `json:"deleted_at"`
		RestoredAt          *string `json:"restored_at"`
		TransactionID       *string `json:"transaction_id"`
		Owner               *int    `json:"owner"`
		Correspondent       *int    `json:"correspondent"`
		StoragePath         *int    `json:"storage_path"`
		Title               string  `json:"title"`
		DocumentType        *int    `json:"document_type"`
		Content             string  `json:"content"`
		MimeType            string  `json:"mime_type"`
		Checksum            string  `json:"checksum"`
		ArchiveChecksum     *string `json:"archive_checksum"`
		PageCount           *int    `json:"page_count"`
		Created             string  `json:"created"`
		Modified            string  `json:"modified"`
		Added               string  `json:"added"`
		Filename            *string `json:"filename"`
		ArchiveFilename     *string `json:"archive_filename"`
		OriginalFilename    *string `json:"original_filename"`
		ArchiveSerialNumber *int    `json:"archive_serial_number"`
		RootDocument        *int    `json:"root_document"`
		VersionIndex        *int    `json:"version_index"`
		VersionLabel        *string `json:"version_label"`
		Tags                []int   `json:"tags"`
	}
	ngxSavedView struct {
		Owner         *int     `json:"owner"`
		Name          string   `json:"name"`
		SortField     *string  `json:"sort_field"`
		SortReverse   bool     `json:"sort_reverse"`
		PageSize      *int     `json:"page_size"`
		DisplayMode   *string  `json:"display_mode"`
		DisplayFields []string `json:"display_fields"`
	}
	ngxUISettings struct {
		User     int `json:"user"`
		Settings struct {
			SavedViews struct {
				Dashboard []int `json:"dashboard_views_visible_ids"`
				Sidebar   []int `json:"sidebar_views_visible_ids"`
			} `json:"saved_views"`
		} `json:"settings"`
	}
)

// ngxExtraPermissions are the permissions paperless-ngx 3.0.5 declares
// beyond the defaults (paperless/models.py, ApplicationConfiguration's
// Meta.permissions), as (codename, name).
var ngxExtraPermissions = map[string][][2]string{
	"applicationconfiguration": {{"view_global_statistics", "Can view global object counts"}, {"view_system_monitoring", "Can view system status information"}},
}

// ngxPermissionActions are Django's default permissions of every model.
var ngxPermissionActions = []string{"add", "change", "delete", "view"}

// runNGX writes the manifest of a paperless-ngx 3.x export.
func (ex *exporter) runNGX(ctx context.Context) error {
	ex.w.WriteString("[\n")
	// Content types and their default permissions, numbered in order.
	for i, ct := range ngxContentTypes {
		if err := ex.write(recordOut{Model: modelContentType, PK: i + 1, Fields: ngxContentType{AppLabel: ct[0], Model: ct[1]}}); err != nil {
			return err
		}
	}
	ex.permIDs, ex.ctIDs = map[string]int{}, map[string]int{}
	pk := 0
	for i, ct := range ngxContentTypes {
		ex.ctIDs[ct[1]] = i + 1
		perms := [][2]string{}
		for _, a := range ngxPermissionActions {
			perms = append(perms, [2]string{a + "_" + ct[1], "Can " + a + " " + ct[1]})
		}
		perms = append(perms, ngxExtraPermissions[ct[1]]...)
		for _, p := range perms {
			pk++
			ex.permIDs[p[0]] = pk
			if err := ex.write(recordOut{Model: modelPermission, PK: pk, Fields: ngxPermission{
				Name: p[1], ContentType: i + 1, Codename: p[0],
			}}); err != nil {
				return err
			}
		}
	}
	perms := func(codenames []string) []int {
		out := []int{}
		for _, c := range codenames {
			if id, ok := ex.permIDs[c]; ok {
				out = append(out, id)
			} else {
				ex.skip("permission "+c, 1)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	groups, err := ex.st.Groups(ctx)
	if err != nil {
		return err
	}
	gids := make([]int, len(groups))
	for i, g := range groups {
		gids[i] = g.ID
	}
	gperms, err := ex.st.GroupsPermissions(ctx, gids)
	if err != nil {
		return err
	}
	for _, g := range groups {
		if err := ex.write(recordOut{Model: modelGroup, PK: g.ID, Fields: map[string]any{"name": g.Name, "permissions": perms(gperms[g.ID])}}); err != nil {
			return err
		}
	}

	users, err := ex.st.AllUsers(ctx)
	if err != nil {
		return err
	}
	userIDs := map[int]bool{}
	for _, u := range users {
		userIDs[u.ID] = true
	}
	ex.users = userIDs
	owner := func(id *int) *int {
		if id != nil && userIDs[*id] {
			return id
		}
		return nil
	}
	uids := make([]int, len(users))
	for i, u := range users {
		uids[i] = u.ID
	}
	access, err := ex.st.UsersAccess(ctx, uids)
	if err != nil {
		return err
	}
	for _, u := range users {
		ug, up := []int{}, []int{}
		if a := access[u.ID]; a != nil {
			if a.Groups != nil {
				ug = a.Groups
			}
			up = perms(a.Direct)
		}
		var last *string
		if u.LastLogin != nil {
			s := formatTime(*u.LastLogin)
			last = &s
		}
		if err := ex.write(recordOut{Model: modelUser, PK: u.ID, Fields: userOut{
			Password: u.Password, LastLogin: last, IsSuperuser: u.IsSuperuser, Username: u.Username,
			FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, IsStaff: u.IsStaff, IsActive: u.IsActive,
			DateJoined: formatTime(u.DateJoined), Groups: ug, UserPermissions: up,
		}}); err != nil {
			return err
		}
	}

	corrs, err := ex.st.AllCorrespondents(ctx)
	if err != nil {
		return err
	}
	corrName := map[int]string{}
	for _, c := range corrs {
		corrName[c.ID] = c.Name
		if err := ex.write(recordOut{Model: modelCorrespondent, PK: c.ID, Fields: ngxMatching{
			Owner: owner(c.OwnerID), Name: c.Name, Match: c.Match, MatchingAlgorithm: int(c.MatchingAlgorithm), IsInsensitive: c.IsInsensitive,
		}}); err != nil {
			return err
		}
	}
	types, err := ex.st.AllDocumentTypes(ctx)
	if err != nil {
		return err
	}
	for _, t := range types {
		if err := ex.write(recordOut{Model: modelDocumentType, PK: t.ID, Fields: ngxMatching{
			Owner: owner(t.OwnerID), Name: t.Name, Match: t.Match, MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive,
		}}); err != nil {
			return err
		}
	}
	paths, err := ex.st.AllStoragePaths(ctx)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := ex.write(recordOut{Model: modelStoragePath, PK: p.ID, Fields: map[string]any{
			"owner": owner(p.OwnerID), "name": p.Name, "match": p.Match, "matching_algorithm": int(p.MatchingAlgorithm),
			"is_insensitive": p.IsInsensitive, "path": p.Path,
		}}); err != nil {
			return err
		}
	}
	fields, err := ex.st.AllCustomFields(ctx)
	if err != nil {
		return err
	}
	for _, f := range fields {
		extra := map[string]any{"select_options": nil, "default_currency": nil}
		if x := f.ExtraData; x != nil {
			if x.SelectOptions != nil {
				extra["select_options"] = x.SelectOptions
			}
			extra["default_currency"] = x.DefaultCurrency
		}
		if err := ex.write(recordOut{Model: modelCustomField, PK: f.ID, Fields: map[string]any{
			"created": formatTime(f.Created), "name": f.Name, "data_type": string(f.DataType), "extra_data": extra,
		}}); err != nil {
			return err
		}
	}
	tags, err := ex.st.AllTags(ctx)
	if err != nil {
		return err
	}
	for _, t := range ngxTagTree(tags) {
		if err := ex.write(recordOut{Model: modelTag, PK: t.pk, Fields: t.fields}); err != nil {
			return err
		}
	}

	views, err := ex.st.AllSavedViews(ctx)
	if err != nil {
		return err
	}
	placement := map[int]*ngxUISettings{}
	for _, v := range views {
		var mode *string
		if v.DisplayMode != nil {
			s := string(*v.DisplayMode)
			mode = &s
		}
		if err := ex.write(recordOut{Model: modelSavedView, PK: v.ID, Fields: ngxSavedView{
			Owner: owner(&v.UserID), Name: v.Name, SortField: v.SortField, SortReverse: v.SortReverse,
			PageSize: v.PageSize, DisplayMode: mode, DisplayFields: v.DisplayFields,
		}}); err != nil {
			return err
		}
		p := placement[v.UserID]
		if p == nil {
			p = &ngxUISettings{User: v.UserID}
			p.Settings.SavedViews.Dashboard, p.Settings.SavedViews.Sidebar = []int{}, []int{}
			placement[v.UserID] = p
		}
		if v.ShowOnDashboard {
			p.Settings.SavedViews.Dashboard = append(p.Settings.SavedViews.Dashboard, v.ID)
		}
		if v.ShowInSidebar {
			p.Settings.SavedViews.Sidebar = append(p.Settings.SavedViews.Sidebar, v.ID)
		}
	}
	rules, err := ex.st.AllSavedViewRules(ctx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if err := ex.write(recordOut{Model: modelSavedViewRule, PK: r.ID, Fields: savedViewRuleOut{
			SavedView: r.SavedViewID, RuleType: r.RuleType, Value: r.Value,
		}}); err != nil {
			return err
		}
	}
	// The placement of the views: paperless-ngx 3.x keeps it in each
	// user's UI settings (one row a user).
	for i, uid := range slices.Sorted(mapKeys(placement)) {
		if !userIDs[uid] {
			continue
		}
		if err := ex.write(recordOut{Model: modelUISettings, PK: i + 1, Fields: placement[uid]}); err != nil {
			return err
		}
	}

	if err := ex.documents(ctx, corrName); err != nil {
		return err
	}
	if err := ex.ngxObjectPermissions(ctx, paths, fields, tags, corrs, types, views); err != nil {
		return err
	}
	ex.finishSkips()
	_, err = ex.w.WriteString("\n]\n")
	return err
}

type ngxTagRecord struct {
	pk     int
	fields ngxTag
}

// ngxTagTree writes the tags with django-treenode's cached tree fields
// (ancestors, children, descendants, siblings, depth, level, order), as
// paperless-ngx's exporter serialises them; parents come before their
// children.
func ngxTagTree(tags []store.Tag) []ngxTagRecord {
	byID := map[int]*store.Tag{}
	children := map[int][]int{} // 0: the roots
	for i := range tags {
		byID[tags[i].ID] = &tags[i]
	}
	for _, t := range tags {
		p := 0
		if t.ParentID != nil && byID[*t.ParentID] != nil {
			p = *t.ParentID
		}
		children[p] = append(children[p], t.ID)
	}
	for _, c := range children {
		slices.SortFunc(c, func(a, b int) int {
			return strings.Compare(strings.ToLower(byID[a].Name), strings.ToLower(byID[b].Name))
		})
	}
	join := func(ids []int) string {
		s := make([]string, len(ids))
		for i, id := range ids {
			s[i] = strconv.Itoa(id)
		}
		return strings.Join(s, ",")
	}
	var out []ngxTagRecord
	var descendants func(id int) []int
	descendants = func(id int) []int {
		var d []int
		for _, c := range children[id] {
			d = append(d, c)
			d = append(d, descendants(c)...)
		}
		return d
	}
	var depth func(id int) int
	depth = func(id int) int {
		m := 0
		for _, c := range children[id] {
			m = max(m, 1+depth(c))
		}
		return m
	}
	var walk func(parent int, ancestors []int)
	walk = func(parent int, ancestors []int) {
		sibs := children[parent]
		for i, id := range sibs {
			t := byID[id]
			var others []int
			for _, s := range sibs {
				if s != id {
					others = append(others, s)
				}
			}
			desc := descendants(id)
			f := ngxTag{
				TNAncestorsPKs: join(ancestors), TNAncestorsCount: len(ancestors),
				TNChildrenPKs: join(children[id]), TNChildrenCount: len(children[id]),
				TNDepth: depth(id), TNDescendantsPKs: join(desc), TNDescendantsCount: len(desc),
				TNIndex: i, TNLevel: len(ancestors) + 1, TNOrder: len(out),
				TNSiblingsPKs: join(others), TNSiblingsCount: len(others),
				ngxMatching: ngxMatching{Owner: t.OwnerID, Name: t.Name, Match: t.Match,
					MatchingAlgorithm: int(t.MatchingAlgorithm), IsInsensitive: t.IsInsensitive},
				Color: t.Color, IsInboxTag: t.IsInboxTag,
			}
			if parent != 0 {
				p := parent
				f.TNParent = &p
			}
			out = append(out, ngxTagRecord{pk: id, fields: f})
			walk(id, append(slices.Clone(ancestors), id))
		}
	}
	walk(0, nil)
	return out
}

// ngxDocument writes one document of an ngx export and copies its files.
func (ex *exporter) ngxDocument(d *store.Document, tagIDs []int, corr string, related []recordOut) error {
	label := fmt.Sprintf("document %d (%s)", d.ID, d.Title)
	if d.Filename == nil {
		ex.rep.Failed = append(ex.rep.Failed, Problem{Object: label, Reason: "it has no stored file"})
		return nil
	}
	o := ex.opts.NGXOptions
	base := ex.uniqueName(d, corr)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	prefix := func(folder, name string) string {
		if o.FolderPrefix {
			return folder + "/" + name
		}
		return name
	}
	r := recordOut{Model: modelDocument, PK: d.ID, File: prefix("originals", base)}
	src, err := ex.opts.Media.OriginalPath(*d.Filename)
	if err != nil {
		return err
	}
	type copyJob struct {
		src, dst string
		sum      *string // receives the SHA-256
	}
	var sum, asum string
	jobs := []copyJob{{src, r.File, &sum}}
	if !o.NoThumbnail {
		r.Thumbnail = prefix("thumbnails", stem+"-thumbnail.webp")
		jobs = append(jobs, copyJob{ex.opts.Media.ThumbnailPath(d.ID), r.Thumbnail, nil})
	}
	var archiveSum *string
	if d.ArchiveFilename != nil {
		asrc, err := ex.opts.Media.ArchivePath(*d.ArchiveFilename)
		if err != nil {
			return err
		}
		if !o.NoArchive {
			r.Archive = prefix("archive", stem+"-archive.pdf")
		}
		jobs = append(jobs, copyJob{asrc, r.Archive, &asum})
		archiveSum = &asum
	}
	var made []string
	for _, j := range jobs {
		var copied bool
		var err error
		if j.dst == r.Thumbnail && j.dst != "" {
			if _, err := os.Stat(j.src); errors.Is(err, os.ErrNotExist) {
				// paperless-ngx's importer takes a document without one
				r.Thumbnail = ""
				continue
			}
		}
		if o.DataOnly || j.dst == "" {
			// Only the checksum is needed.
			err = sha256File(j.src, j.sum, ex.buf)
		} else {
			dst := filepath.Join(ex.dir, filepath.FromSlash(j.dst))
			copied, err = ex.copyNGX(j.src, dst, j.sum, o.CompareChecksums)
			if copied {
				made = append(made, dst)
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				for _, m := range made {
					os.Remove(m)
				}
				ex.rep.Failed = append(ex.rep.Failed, Problem{Object: label, Reason: fmt.Sprintf("stored file %s is missing", j.src)})
				return nil
			}
			return err
		}
	}
	ex.written = append(ex.written, made...)
	if o.DataOnly {
		r.File, r.Thumbnail, r.Archive = "", "", ""
	}
	if tagIDs == nil {
		tagIDs = []int{}
	}
	var orig *string
	if d.OriginalFilename != "" {
		orig = &d.OriginalFilename
	}
	var deleted *string
	if d.DeletedAt != nil {
		s := formatTime(*d.DeletedAt)
		deleted = &s
	}
	var archiveName *string
	if d.ArchiveFilename != nil {
		archiveName = d.ArchiveFilename
	}
	r.Fields = ngxDocument{
		DeletedAt: deleted, Owner: ex.ngxOwner(d.OwnerID), Correspondent: d.CorrespondentID, StoragePath: d.StoragePathID,
		Title: d.Title, DocumentType: d.DocumentTypeID, Content: d.Content, MimeType: d.MimeType,
		Checksum: sum, ArchiveChecksum: archiveSum, PageCount: d.PageCount,
		Created:  d.Created.In(ex.opts.Location).Format(time.DateOnly),
		Modified: formatTime(d.Modified), Added: formatTime(d.Added),
		Filename: d.Filename, ArchiveFilename: archiveName, OriginalFilename: orig,
		ArchiveSerialNumber: d.ArchiveSerialNumber, Tags: tagIDs,
	}
	if o.SplitManifest {
		name := prefix("json", stem+"-manifest.json")
		path := filepath.Join(ex.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return err
		}
		b, err := json.MarshalIndent(append([]recordOut{r}, related...), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
		ex.written = append(ex.written, path)
	} else {
		if err := ex.write(r); err != nil {
			return err
		}
		for _, x := range related {
			if err := ex.write(x); err != nil {
				return err
			}
		}
	}
	ex.rep.Documents++
	return nil
}

// ngxOwner is id when it names a user of the export.
func (ex *exporter) ngxOwner(id *int) *int {
	if id == nil || ex.users == nil || !ex.users[*id] {
		return nil
	}
	return id
}

// sha256File stores the SHA-256 (hex) of the file at path in *sum (when
// sum is not nil).
func sha256File(path string, sum *string, buf []byte) error {
	if sum == nil {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyBuffer(h, f, buf); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	*sum = hex.EncodeToString(h.Sum(nil))
	return nil
}

// copyNGX is copy with the SHA-256 of src computed on the way (into
// *sum, when not nil). A file already at dst is kept when it has src's
// size and time, or, with byChecksum, src's SHA-256.
func (ex *exporter) copyNGX(src, dst string, sum *string, byChecksum bool) (bool, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return false, err
	}
	if sum == nil && !byChecksum {
		return ex.copy(src, dst)
	}
	var want string
	if err := sha256File(src, &want, ex.buf); err != nil {
		return false, err
	}
	if sum != nil {
		*sum = want
	}
	if byChecksum {
		var have string
		if err := sha256File(dst, &have, ex.buf); err == nil && have == want {
			return false, nil
		}
		os.Remove(dst) // so copy does not keep it by size and time
	}
	return ex.copy(src, dst)
}

// writeNGXMetadata writes metadata.json ({"version": NGXVersion}).
func writeNGXMetadata(dir string) (string, error) {
	path := filepath.Join(dir, metadataName)
	b, _ := json.MarshalIndent(map[string]string{"version": NGXVersion}, "", "  ")
	if err := os.WriteFile(path, append(b, '\n'), 0o640); err != nil {
		return "", fmt.Errorf("write %s: %w", metadataName, err)
	}
	return path, nil
}

func (ex *exporter) skip(what string, n int) {
	if ex.skipped == nil {
		ex.skipped = map[string]int{}
	}
	ex.skipped[what] += n
}

func (ex *exporter) finishSkips() {
	for _, m := range slices.Sorted(mapKeys(ex.skipped)) {
		ex.rep.Skipped = append(ex.rep.Skipped, Skip{Model: m, Count: ex.skipped[m], Reason: "paperless-ngx 3.0.5 has no such permission"})
	}
}

// ngxValueColumns is valueColumn with every column: a value's record
// names all of them (null but its own).
var ngxValueColumns = []string{"value_text", "value_bool", "value_url", "value_date", "value_int", "value_float",
	"value_monetary", "value_document_ids", "value_select", "value_long_text"}

// ngxBatch writes a batch of documents with their notes and custom field
// values (in the document's split manifest, or after it) and share
// links, as paperless-ngx's exporter does.
func (ex *exporter) ngxBatch(ctx context.Context, docs []store.Document, tagIDs map[int][]int, corrName map[int]string) error {
	ids := make([]int, len(docs))
	var trashed []int
	for i, d := range docs {
		ids[i] = d.ID
		if d.DeletedAt != nil {
			trashed = append(trashed, d.ID)
		}
	}
	trashTags, err := ex.st.TrashTagIDsByDocuments(ctx, trashed)
	if err != nil {
		return err
	}
	notes, err := ex.st.NotesByDocuments(ctx, ids)
	if err != nil {
		return err
	}
	values, err := ex.st.CustomFieldValuesByDocuments(ctx, ids)
	if err != nil {
		return err
	}
	links, err := ex.st.ShareLinksByDocuments(ctx, ids)
	if err != nil {
		return err
	}
	created := func(t time.Time) string { return formatTime(t) }
	for i := range docs {
		d := &docs[i]
		var related []recordOut
		for _, n := range notes[d.ID] {
			related = append(related, recordOut{Model: modelNote, PK: n.ID, Fields: map[string]any{
				"deleted_at": nil, "restored_at": nil, "transaction_id": nil,
				"note": n.Note, "created": created(n.Created), "document": d.ID, "user": ex.ngxOwner(n.UserID),
			}})
		}
		for _, v := range values[d.ID] {
			f := map[string]any{"deleted_at": nil, "restored_at": nil, "transaction_id": nil,
				"created": created(d.Added), "document": d.ID, "field": v.FieldID}
			for _, c := range ngxValueColumns {
				f[c] = nil
			}
			if col := valueColumn[v.DataType]; col != "" {
				f[col] = v.Value()
			}
			related = append(related, recordOut{Model: modelCustomFieldVal, PK: v.ID, Fields: f})
		}
		tags := tagIDs[d.ID]
		if d.DeletedAt != nil {
			tags = trashTags[d.ID]
		}
		corr := ""
		if d.CorrespondentID != nil {
			corr = corrName[*d.CorrespondentID]
		}
		if err := ex.ngxDocument(d, tags, corr, related); err != nil {
			return err
		}
		for _, l := range links[d.ID] {
			var exp *string
			if l.Expiration != nil {
				s := formatTime(*l.Expiration)
				exp = &s
			}
			if err := ex.write(recordOut{Model: modelShareLink, PK: l.ID, Fields: map[string]any{
				"deleted_at": nil, "restored_at": nil, "transaction_id": nil, "created": created(l.Created),
				"expiration": exp, "slug": l.Slug, "document": d.ID, "file_version": string(l.FileVersion), "owner": ex.ngxOwner(l.OwnerID),
			}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ngxObjectPermissions writes the per-object grants as django-guardian's
// user and group object permissions.
func (ex *exporter) ngxObjectPermissions(ctx context.Context, paths []store.StoragePath, fields []store.CustomField,
	tags []store.Tag, corrs []store.Correspondent, types []store.DocumentType, views []store.SavedView) error {
	idsOf := map[store.Model][]int{}
	for _, x := range paths {
		idsOf[store.ModelStoragePath] = append(idsOf[store.ModelStoragePath], x.ID)
	}
	for _, x := range fields {
		idsOf[store.ModelCustomField] = append(idsOf[store.ModelCustomField], x.ID)
	}
	for _, x := range tags {
		idsOf[store.ModelTag] = append(idsOf[store.ModelTag], x.ID)
	}
	for _, x := range corrs {
		idsOf[store.ModelCorrespondent] = append(idsOf[store.ModelCorrespondent], x.ID)
	}
	for _, x := range types {
		idsOf[store.ModelDocumentType] = append(idsOf[store.ModelDocumentType], x.ID)
	}
	for _, x := range views {
		idsOf[store.ModelSavedView] = append(idsOf[store.ModelSavedView], x.ID)
	}
	userPK, groupPK := 0, 0
	write := func(m store.Model, id int, action string, h store.Holders) error {
		perm := ex.permIDs[action+"_"+string(m)]
		ct := ex.ctIDs[string(m)]
		for _, u := range h.Users {
			if !ex.users[u] {
				continue
			}
			userPK++
			if err := ex.write(recordOut{Model: modelUserObjectPerm, PK: userPK, Fields: map[string]any{
				"permission": perm, "content_type": ct, "object_pk": strconv.Itoa(id), "user": u}}); err != nil {
				return err
			}
		}
		for _, g := range h.Groups {
			groupPK++
			if err := ex.write(recordOut{Model: modelGroupObjPerm, PK: groupPK, Fields: map[string]any{
				"permission": perm, "content_type": ct, "object_pk": strconv.Itoa(id), "group": g}}); err != nil {
				return err
			}
		}
		return nil
	}
	models := []store.Model{store.ModelCorrespondent, store.ModelCustomField, store.ModelDocument, store.ModelDocumentType,
		store.ModelSavedView, store.ModelStoragePath, store.ModelTag}
	for _, m := range models {
		if m == store.ModelDocument {
			// the documents' ids, batch by batch
			last := 0
			for {
				docs, err := ex.st.DocumentsWithTrashAfter(ctx, last, exportBatch)
				if err != nil || len(docs) == 0 {
					if err != nil {
						return err
					}
					break
				}
				ids := make([]int, len(docs))
				for i, d := range docs {
					ids[i] = d.ID
				}
				last = ids[len(ids)-1]
				if err := ex.ngxGrants(ctx, m, ids, write); err != nil {
					return err
				}
			}
			continue
		}
		if err := ex.ngxGrants(ctx, m, idsOf[m], write); err != nil {
			return err
		}
	}
	return nil
}

func (ex *exporter) ngxGrants(ctx context.Context, m store.Model, ids []int, write func(store.Model, int, string, store.Holders) error) error {
	if len(ids) == 0 {
		return nil
	}
	grants, err := ex.st.ObjectGrants(ctx, m, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		g, ok := grants[id]
		if !ok {
			continue
		}
		if err := write(m, id, "view", g.View); err != nil {
			return err
		}
		if err := write(m, id, "change", g.Change); err != nil {
			return err
		}
	}
	return nil
}
