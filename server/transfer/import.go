package transfer

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire/server/consume/parse"
	"github.com/quirehq/quire/server/index"
	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/files"
)

// Options configures Import and Export.
type Options struct {
	// Media is the storage layout files are copied into (import) or read
	// from (export).
	Media files.Layout
	// Format names stored files on import (PAPERLESS_FILENAME_FORMAT);
	// nil gives the default names (<id 7 digits><ext>).
	Format *files.Format
	// Location is the server time zone: the dates of file names.
	Location *time.Location
	// Indexer, when set, brings the search index up to date with the
	// imported documents before Import returns.
	Indexer *index.Indexer
	// Progress is called after each batch of documents with the number
	// done and the total.
	Progress func(done, total int)
	// Phase, when set, is told when Import starts a step ("reading the
	// manifest", …), for progress output on long runs.
	Phase func(step string)
	// Logger receives per-object details; nil discards.
	Logger *slog.Logger
	// BatchSize is how many documents go into one transaction; default 250.
	BatchSize int
	// Workers is how many files are copied at once; default 8.
	Workers int
	// NGX makes Export write paperless-ngx 3.x's format (see NGXVersion)
	// instead of paperless-ng 1.x's, laid out as NGXOptions says.
	NGX bool
	NGXOptions

	// beforeCommit, in tests, runs after a batch's files are placed and
	// before its rows are committed; an error stops the import there.
	beforeCommit func(batch int) error
}

func (o *Options) defaults() {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Phase == nil {
		o.Phase = func(string) {}
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 250
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
}

// Problem is an object that was not imported or exported (or only in
// part), and why.
type Problem struct {
	Object string // "document 12 (Invoice)", "tag 3 (Bank)"
	Reason string
}

func (p Problem) String() string { return p.Object + ": " + p.Reason }

// ImportReport says what an import did.
type ImportReport struct {
	Users, Correspondents, DocumentTypes, Tags, SavedViews int // newly stored
	Documents                                              int // newly stored
	// paperless-ngx's objects, newly stored; Trashed counts the documents
	// among Documents that went into the trash, as they were in the export.
	Groups, StoragePaths, CustomFields, CustomFieldValues int
	Notes, ShareLinks, ObjectPermissions, Trashed         int
	History                                               int // entries of documents' history (django-auditlog)
	AlreadyPresent                                        int // documents found from an earlier run (same id and checksum)
	Total                                                 int // document entries in the manifest
	// Format is the paperless version the export was recognised as, and
	// Version what its metadata.json or version.json says ("" if none).
	Format  Format
	Version string
	// Skipped counts, per model (or model field), what the export holds
	// and Quire has no place for; none of it is imported.
	Skipped []Skip
	// Failed lists what was not imported; Warnings what was imported with
	// a change (a dropped unknown reference) or skipped by design.
	Failed   []Problem
	Warnings []Problem
}

// Skip is a count of objects of one model (or values of one field) that
// an import left out by design.
type Skip struct {
	Model  string // "paperless_mail.mailrule", "documents.tag.owner"
	Count  int
	Reason string
}

func (s Skip) String() string { return fmt.Sprintf("%d × %s: %s", s.Count, s.Model, s.Reason) }

// ErrConflict is returned (wrapped) by Import when the archive already
// holds other objects under the ids or names of the export's
// correspondents, types, tags or saved views: ids must be kept, so such
// an export can only go into an archive without them.
var ErrConflict = errors.New("the archive already holds different objects under the export's ids")

// metadata is the non-document part of a manifest (small; read whole).
type metadata struct {
	users          []record
	correspondents []record
	types          []record
	tags           []record
	views          []record
	rules          []record
	ui             []record
	documents      int
	firstDoc       map[string]json.RawMessage // fields of the first document entry
	unknown        map[string]int
	ngx            *ngxData
	logEntries     int
}

// Import reads the paperless-ng (0.9.x, 1.x) or paperless-ngx (1.x to
// 3.x) export in dir (a folder, or the zip file of ngx's --zip) into st and the storage of opts.Media (see Format;
// what Quire has no place for is counted in the report's Skipped). Objects keep their ids; users are matched by
// username (an existing account is kept as it is). It runs in this order,
// so that an interruption anywhere can be resumed by running it again:
// users, correspondents, document types, tags and saved views, each
// skipped when already present; then the documents in batches, each
// document's files copied and verified against its checksums before its
// row is committed (a document already stored under its id with its
// checksum is skipped); then the search index. A document whose files are
// missing or corrupt, or that clashes with a stored one, is not imported
// and is listed in the report's Failed, as is anything else left out.
// The error is non-nil only when the import could not run or complete
// (ErrConflict, an unreadable manifest, a database failure, ctx ended).
func Import(ctx context.Context, st *store.Store, dir string, opts Options) (*ImportReport, error) {
	opts.defaults()
	if isZip(dir) {
		// paperless-ngx's --zip: extracted next to the media folder (the
		// same file system, room for the files) and removed afterwards.
		opts.Phase("Extracting " + filepath.Base(dir) + "…")
		tmp, err := unzipExport(ctx, dir, opts.Media.Media)
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if fi, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("open the export: %w", errors.Unwrap(err))
	} else if !fi.IsDir() {
		return nil, errNotExport
	}
	rep := &ImportReport{}
	md := &metadata{unknown: map[string]int{}, ngx: newNGXData()}
	version, err := exportVersion(dir)
	if err != nil {
		return nil, err
	}
	opts.Phase("Reading the manifest…")
	if err := readManifest(dir, func(i int, r *record) error {
		switch r.Model {
		case modelDocument:
			md.documents++
			if md.firstDoc == nil {
				md.firstDoc = map[string]json.RawMessage{}
				if err := json.Unmarshal(r.Fields, &md.firstDoc); err != nil {
					return fmt.Errorf("read document %d: %w", r.PK, err)
				}
			}
		case modelContentType, modelPermission:
			md.ngx.add(r)
			md.unknown[r.Model]++ // read only to resolve references
		case modelUISettings:
			md.ui = append(md.ui, *r)
		case modelLogEntry:
			md.logEntries++ // read in a pass of their own (ngxHistory)
		case modelUser:
			md.users = append(md.users, *r)
		case modelCorrespondent:
			md.correspondents = append(md.correspondents, *r)
		case modelDocumentType:
			md.types = append(md.types, *r)
		case modelTag:
			md.tags = append(md.tags, *r)
		case modelSavedView:
			md.views = append(md.views, *r)
		case modelSavedViewRule:
			md.rules = append(md.rules, *r)
		default:
			if !md.ngx.add(r) {
				md.unknown[r.Model]++
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	rep.Total = md.documents
	rep.Version = version
	rep.Format = detectFormat(version, md.firstDoc)
	im := &importer{st: st, dir: dir, opts: opts, rep: rep, skipped: map[string]int{}, format: rep.Format, ngx: md.ngx}
	for m, n := range md.unknown {
		im.skip(m, n)
	}
	defer im.finishSkips()
	if err := opts.Media.Init(); err != nil {
		return nil, err
	}
	opts.Phase(fmt.Sprintf("%s export (%d documents): importing users, groups, correspondents, types, tags, storage paths, custom fields and saved views…", rep.Format, md.documents))
	if err := im.metadata(ctx, md); err != nil {
		return rep, err
	}
	if err := st.ResetIDSequences(ctx); err != nil {
		return rep, err
	}

	// Index while importing: the outbox fills as batches commit.
	var indexDone chan struct{}
	ictx, stopIndex := context.WithCancel(ctx)
	defer stopIndex()
	if opts.Indexer != nil {
		indexDone = make(chan struct{})
		go func() {
			defer close(indexDone)
			opts.Indexer.Run(ictx)
		}()
	}
	err = im.documents(ctx, md.documents)
	stopIndex()
	if indexDone != nil {
		<-indexDone
	}
	if err != nil {
		return rep, err
	}
	if md.logEntries > 0 {
		opts.Phase(fmt.Sprintf("Importing the documents' history (%d entries)…", md.logEntries))
		if err := im.ngxHistory(ctx); err != nil {
			return rep, err
		}
	}
	if len(im.ngx.objectPerms) > 0 {
		opts.Phase("Applying per-object permissions…")
	}
	if err := im.ngxObjectPermissions(ctx); err != nil {
		return rep, err
	}
	if err := st.ResetIDSequences(ctx); err != nil {
		return rep, err
	}
	if opts.Indexer != nil {
		opts.Phase("Bringing the search index up to date…")
		if err := opts.Indexer.Drain(ctx); err != nil {
			return rep, fmt.Errorf("update the search index (run `quire reindex` to retry): %w", err)
		}
	}
	return rep, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

type importer struct {
	st   *store.Store
	dir  string
	opts Options
	rep  *ImportReport

	userIDs                map[int]int // export id → Quire id
	corrs, types, tagNames map[int]string
	format                 Format
	skipped                map[string]int // model (or model.field) → count left out
	ngx                    *ngxData
	groupIDs               map[int]int // export id → Quire id
	storagePaths           map[int]bool
	spFormats              map[int]*files.Format // storage path id → its template, when Quire renders it
	fieldTypes             map[int]store.CustomFieldDataType
	indexedOptions         map[int]bool // custom fields whose select values are option indexes
}

// skipReasons say why a model (or field) has no place in Quire; any other
// model is "Quire has no such objects".
var skipReasons = map[string]string{
	modelContentType:                    "Django's model registry; Quire has its own",
	modelPermission:                     "read only to resolve the permissions of users and groups",
	modelUISettings:                     "the old web app's settings; only the saved views' placement is read",
	"documents.document.root_document":  "Quire has no document versions: each version is imported as a document of its own",
	"documents.document.storage_path":   "Quire has no storage paths yet",
	"documents.document (in the trash)": "Quire has no trash yet",
	"documents.paperlesstask":           "task history of the old server",
	"auditlog.logentry (not a document's create, update or delete)": "Quire's history is of documents",
}

// skip counts n objects of model as left out by design.
func (im *importer) skip(model string, n int) { im.skipped[model] += n }

// finishSkips moves the counts into the report, in model order.
func (im *importer) finishSkips() {
	im.rep.Skipped = im.rep.Skipped[:0]
	for _, m := range slices.Sorted(mapKeys(im.skipped)) {
		reason := skipReasons[m]
		if reason == "" {
			reason = "Quire has no such objects"
		}
		im.rep.Skipped = append(im.rep.Skipped, Skip{Model: m, Count: im.skipped[m], Reason: reason})
	}
}

func (im *importer) fail(object, format string, args ...any) {
	p := Problem{Object: object, Reason: fmt.Sprintf(format, args...)}
	im.rep.Failed = append(im.rep.Failed, p)
	im.opts.Logger.Warn("not imported", "object", p.Object, "reason", p.Reason)
}

func (im *importer) warn(object, format string, args ...any) {
	p := Problem{Object: object, Reason: fmt.Sprintf(format, args...)}
	im.rep.Warnings = append(im.rep.Warnings, p)
	im.opts.Logger.Info("import warning", "object", p.Object, "reason", p.Reason)
}

// metadata imports users, correspondents, types, tags and saved views.
// Conflicts are collected and returned together (ErrConflict).
func (im *importer) metadata(ctx context.Context, md *metadata) error {
	var conflicts []string
	check := func(what string, r *record, name string, inserted bool, err error, count *int) error {
		switch {
		case store.ErrorCode(err) == store.Conflict:
			conflicts = append(conflicts, err.Error())
		case err != nil && store.ErrorCode(err) == store.Validation:
			im.fail(fmt.Sprintf("%s %d (%s)", what, r.PK, name), "%v", err)
		case err != nil:
			return err
		case inserted:
			*count++
		}
		return nil
	}

	groupConflicts, err := im.ngxGroups(ctx)
	if err != nil {
		return err
	}
	conflicts = append(conflicts, groupConflicts...)
	im.userIDs = map[int]int{}
	firstSuperuser := 0
	for i := range md.users {
		r := &md.users[i]
		var in userIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("user %d", r.PK), "unreadable: %v", err)
			continue
		}
		u := &store.User{
			ID: r.PK, Username: in.Username, Password: in.Password, Email: in.Email,
			FirstName: in.FirstName, LastName: in.LastName, IsSuperuser: in.IsSuperuser,
			IsStaff: in.IsStaff, IsActive: in.IsActive == nil || *in.IsActive,
		}
		if u.Password == "" {
			u.Password = "!" // unusable, as Django's set_unusable_password
		}
		if t, err := parseTime(in.DateJoined, im.opts.Location); err == nil {
			u.DateJoined = t
		} else {
			u.DateJoined = im.st.Now()
		}
		if in.LastLogin != nil {
			if t, err := parseTime(*in.LastLogin, im.opts.Location); err == nil {
				u.LastLogin = &t
			}
		}
		if in.IsSuperuser && firstSuperuser == 0 {
			firstSuperuser = r.PK
		}
		// The account and its groups and permissions in one transaction:
		// a resumed import leaves an account it finds as it is.
		var id int
		var created bool
		err := im.st.InTx(ctx, func(ctx context.Context) error {
			var err error
			if id, created, err = im.st.ImportUser(ctx, u); err != nil || !created {
				return err
			}
			return im.userAccess(ctx, id, in)
		})
		if err := check("user", r, in.Username, created, err, &im.rep.Users); err != nil {
			return err
		}
		if err == nil {
			im.userIDs[r.PK] = id
			if !created && id != r.PK {
				im.warn(fmt.Sprintf("user %d (%s)", r.PK, in.Username), "an account of that name exists already (id %d); it is kept, with its password, and receives the user's saved views", id)
			}
		}
	}

	// owner is the Quire id of an object's owner (nil: none, or not in
	// the export, which is reported).
	owner := func(r *record, name string, o *int) *int {
		if o == nil {
			return nil
		}
		if id, ok := im.userIDs[*o]; ok {
			return &id
		}
		im.warn(fmt.Sprintf("%s %d (%s)", strings.TrimPrefix(r.Model, "documents."), r.PK, name), "its owner, user %d, is not in the export; left without owner", *o)
		return nil
	}
	matching := func(r *record, in matchingIn) (store.Matching, string) {
		m := store.Matching{Match: in.Match, MatchingAlgorithm: store.MatchAny, IsInsensitive: true}
		if in.MatchingAlgorithm != nil {
			m.MatchingAlgorithm = store.MatchingAlgorithm(*in.MatchingAlgorithm)
		}
		if in.IsInsensitive != nil {
			m.IsInsensitive = *in.IsInsensitive
		}
		return m, in.Name
	}
	for i := range md.correspondents {
		r := &md.correspondents[i]
		var in matchingIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("correspondent %d", r.PK), "unreadable: %v", err)
			continue
		}
		m, name := matching(r, in)
		ok, err := im.st.ImportCorrespondent(ctx, &store.Correspondent{ID: r.PK, Name: name, Matching: m, OwnerID: owner(r, name, in.Owner)})
		if err := check("correspondent", r, name, ok, err, &im.rep.Correspondents); err != nil {
			return err
		}
	}
	for i := range md.types {
		r := &md.types[i]
		var in matchingIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("document type %d", r.PK), "unreadable: %v", err)
			continue
		}
		m, name := matching(r, in)
		ok, err := im.st.ImportDocumentType(ctx, &store.DocumentType{ID: r.PK, Name: name, Matching: m, OwnerID: owner(r, name, in.Owner)})
		if err := check("document type", r, name, ok, err, &im.rep.DocumentTypes); err != nil {
			return err
		}
	}
	stored := map[int]bool{} // tags in the archive now: possible parents
	tagsIn := make([]tagIn, len(md.tags))
	for i := range md.tags {
		r := &md.tags[i]
		if err := json.Unmarshal(r.Fields, &tagsIn[i]); err != nil {
			im.fail(fmt.Sprintf("tag %d", r.PK), "unreadable: %v", err)
			tagsIn[i].Name = "\x00" // marks it unreadable
		}
	}
	for _, i := range parentsFirst(md.tags, tagsIn) {
		r, in := &md.tags[i], tagsIn[i]
		if in.Name == "\x00" {
			continue
		}
		m, name := matching(r, in.matchingIn)
		color := "#a6cee3"
		switch {
		case in.Color != "":
			color = strings.ToLower(in.Color)
		case in.Colour != nil:
			if c, ok := store.PaletteColor(*in.Colour); ok {
				color = c
			} else {
				im.warn(fmt.Sprintf("tag %d (%s)", r.PK, name), "colour %d is not in the palette 1–13; using 1", *in.Colour)
			}
		}
		t := &store.Tag{ID: r.PK, Name: name, Color: color, IsInboxTag: in.IsInboxTag, Matching: m, OwnerID: owner(r, name, in.Owner)}
		if p := in.Parent; p != nil {
			if _, ok := stored[*p]; ok {
				t.ParentID = p
			} else {
				im.warn(fmt.Sprintf("tag %d (%s)", r.PK, name), "its parent, tag %d, is not in the export; made a root tag", *p)
			}
		}
		ok, err := im.st.ImportTag(ctx, t)
		if err == nil {
			stored[r.PK] = true
		}
		if err := check("tag", r, name, ok, err, &im.rep.Tags); err != nil {
			return err
		}
	}

	more, err := im.ngxStoragePaths(ctx, owner)
	if err != nil {
		return err
	}
	conflicts = append(conflicts, more...)
	if more, err = im.ngxCustomFields(ctx); err != nil {
		return err
	}
	conflicts = append(conflicts, more...)

	rulesByView := map[int][]store.SavedViewRule{}
	for i := range md.rules {
		r := &md.rules[i]
		var in savedViewRuleIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("saved view rule %d", r.PK), "unreadable: %v", err)
			continue
		}
		rulesByView[in.SavedView] = append(rulesByView[in.SavedView], store.SavedViewRule{ID: r.PK, RuleType: in.RuleType, Value: in.Value})
	}
	dashboard, sidebar := viewPlacement(md.ui)
	if len(md.ui) > 0 {
		im.skip(modelUISettings, len(md.ui))
	}
	for i := range md.views {
		r := &md.views[i]
		var in savedViewIn
		if err := json.Unmarshal(r.Fields, &in); err != nil {
			im.fail(fmt.Sprintf("saved view %d", r.PK), "unreadable: %v", err)
			continue
		}
		label := fmt.Sprintf("saved view %d (%s)", r.PK, in.Name)
		user := in.User
		if in.Owner != nil {
			user = *in.Owner
		} else if user == 0 && firstSuperuser != 0 {
			// paperless-ngx: a view without owner is everyone's; Quire's
			// views belong to a user.
			user = firstSuperuser
			im.warn(label, "it has no owner; it goes to the export's first superuser, user %d", user)
		}
		owner, ok := im.userIDs[user]
		if !ok {
			im.fail(label, "its owner, user %d, is not in the export", user)
			continue
		}
		if dashboard != nil {
			// paperless-ngx 3.x keeps the placement in each user's UI settings.
			in.ShowOnDashboard, in.ShowInSidebar = dashboard[r.PK], sidebar[r.PK]
		}
		v := &store.SavedView{ID: r.PK, UserID: owner, Name: in.Name, ShowOnDashboard: in.ShowOnDashboard,
			ShowInSidebar: in.ShowInSidebar, SortField: in.SortField, SortReverse: in.SortReverse,
			PageSize: in.PageSize, DisplayFields: in.DisplayFields}
		if in.DisplayMode != nil {
			if m := store.SavedViewDisplayMode(*in.DisplayMode); m.Valid() {
				v.DisplayMode = &m
			} else {
				im.warn(label, "display mode %q is unknown; left to the client", *in.DisplayMode)
			}
		}
		ok, err := im.st.ImportSavedView(ctx, v, rulesByView[r.PK])
		if err := check("saved view", r, in.Name, ok, err, &im.rep.SavedViews); err != nil {
			return err
		}
	}
	if len(conflicts) > 0 {
		return fmt.Errorf("%w (import into an empty Quire):\n  %s", ErrConflict, strings.Join(conflicts, "\n  "))
	}

	// The stored objects, for references and file names.
	im.corrs, im.types, im.tagNames = map[int]string{}, map[int]string{}, map[int]string{}
	cs, err := im.st.AllCorrespondents(ctx)
	if err != nil {
		return err
	}
	for _, c := range cs {
		im.corrs[c.ID] = c.Name
	}
	ts, err := im.st.AllDocumentTypes(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		im.types[t.ID] = t.Name
	}
	tags, err := im.st.AllTags(ctx)
	if err != nil {
		return err
	}
	for _, t := range tags {
		im.tagNames[t.ID] = t.Name
	}
	return nil
}

// parentsFirst orders the tags (indexes into recs) so that each comes
// after its parent; a tag in a cycle or under a missing parent keeps its
// place.
func parentsFirst(recs []record, in []tagIn) []int {
	index := map[int]int{}
	for i, r := range recs {
		index[r.PK] = i
	}
	placed := make([]bool, len(recs))
	var order []int
	var visit func(i int, depth int)
	visit = func(i int, depth int) {
		if placed[i] || depth > len(recs) {
			return
		}
		if p := in[i].Parent; p != nil {
			if j, ok := index[*p]; ok && j != i {
				visit(j, depth+1)
			}
		}
		if !placed[i] {
			placed[i] = true
			order = append(order, i)
		}
	}
	for i := range recs {
		visit(i, 0)
	}
	return order
}

// viewPlacement reads the saved views shown on the dashboard and in the
// sidebar from paperless-ngx 3.x's UI settings
// (settings.saved_views.dashboard_views_visible_ids and
// sidebar_views_visible_ids); nil maps when no UI settings say so (older
// exports keep it on the view).
func viewPlacement(ui []record) (dashboard, sidebar map[int]bool) {
	for _, r := range ui {
		var in struct {
			Settings struct {
				SavedViews *struct {
					Dashboard []json.Number `json:"dashboard_views_visible_ids"`
					Sidebar   []json.Number `json:"sidebar_views_visible_ids"`
				} `json:"saved_views"`
			} `json:"settings"`
		}
		if json.Unmarshal(r.Fields, &in) != nil || in.Settings.SavedViews == nil {
			continue
		}
		if dashboard == nil {
			dashboard, sidebar = map[int]bool{}, map[int]bool{}
		}
		for _, n := range in.Settings.SavedViews.Dashboard {
			if id, err := n.Int64(); err == nil {
				dashboard[int(id)] = true
			}
		}
		for _, n := range in.Settings.SavedViews.Sidebar {
			if id, err := n.Int64(); err == nil {
				sidebar[int(id)] = true
			}
		}
	}
	return dashboard, sidebar
}

// item is one document of a batch on its way in.
type item struct {
	label  string
	doc    *store.Document
	tags   []int
	src    string // exported original, absolute
	arch   string // exported archive version, absolute ("" when none)
	thumb  string // exported thumbnail, absolute
	placed []string
	err    error // why it is not imported
	// sha256: the manifest's checksums are SHA-256 (paperless-ngx 3.x);
	// Quire's are MD5, computed by hashing the files before the checks.
	sha256 bool
	// dataOnly: the files are in storage already (ngx --data-only); they
	// are verified where they are, not copied.
	dataOnly bool
}

// documents streams the document entries in batches.
func (im *importer) documents(ctx context.Context, total int) error {
	var batch []*item
	done, nBatch := 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := im.batch(ctx, batch, nBatch); err != nil {
			return err
		}
		nBatch++
		done += len(batch)
		batch = batch[:0]
		if im.opts.Progress != nil {
			im.opts.Progress(done, total)
		}
		return ctx.Err()
	}
	err := readManifest(im.dir, func(_ int, r *record) error {
		if r.Model != modelDocument {
			return nil
		}
		if it := im.parseDocument(r); it != nil {
			batch = append(batch, it)
		} else {
			done++
		}
		if len(batch) >= im.opts.BatchSize {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// parseDocument turns a manifest entry into an item, or reports it and
// returns nil.
func (im *importer) parseDocument(r *record) *item {
	var in documentIn
	label := fmt.Sprintf("document %d", r.PK)
	if err := json.Unmarshal(r.Fields, &in); err != nil {
		im.fail(label, "unreadable manifest entry: %v", err)
		return nil
	}
	if in.Title != "" {
		label = fmt.Sprintf("document %d (%s)", r.PK, in.Title)
	}
	if r.PK <= 0 {
		im.fail(label, "no id")
		return nil
	}
	dataOnly := r.File == ""
	if dataOnly && (in.Filename == nil || *in.Filename == "") {
		im.fail(label, "the manifest names no exported file (%s) and no stored one (filename)", keyFile)
		return nil
	}
	if r.Thumbnail == "" && !dataOnly {
		if im.format == FormatNG09 || im.format == FormatNG1 {
			im.fail(label, "the manifest names no exported thumbnail (%s)", keyThumbnail)
			return nil
		}
		im.skip("thumbnails (exported with --no-thumbnail)", 1)
	}
	var sha256sum bool
	switch len(in.Checksum) {
	case 32:
	case 64:
		sha256sum = true // paperless-ngx 3.x
	default:
		im.fail(label, "checksum %q is neither an MD5 nor a SHA-256 digest", in.Checksum)
		return nil
	}
	if r.Archive != "" && (in.ArchiveChecksum == nil || len(*in.ArchiveChecksum) != len(in.Checksum)) {
		im.fail(label, "it has an archive version but no archive checksum")
		return nil
	}
	if dataOnly && in.ArchiveFilename != nil && *in.ArchiveFilename != "" {
		if in.ArchiveChecksum == nil || len(*in.ArchiveChecksum) != len(in.Checksum) {
			im.fail(label, "it has an archive version but no archive checksum")
			return nil
		}
	}
	if in.RootDocument != nil {
		im.skip("documents.document.root_document", 1)
	}
	d := &store.Document{
		ID: r.PK, Title: in.Title, Content: in.Content, MimeType: in.MimeType,
		Checksum: strings.ToLower(in.Checksum), ArchiveSerialNumber: in.ArchiveSerialNumber,
		PageCount: in.PageCount, DeletedAt: im.trashTime(label, in.DeletedAt),
	}
	if sp := in.StoragePath; sp != nil {
		if im.storagePaths[*sp] {
			d.StoragePathID = sp
		} else {
			im.warn(label, "storage path %d is not in the export; left empty", *sp)
		}
	}
	if o := in.Owner; o != nil {
		if id, ok := im.userIDs[*o]; ok {
			d.OwnerID = &id
		} else {
			im.warn(label, "its owner, user %d, is not in the export; left without owner", *o)
		}
	}
	if in.OriginalFilename != nil {
		d.OriginalFilename = *in.OriginalFilename
	}
	for _, t := range []struct {
		dst  *time.Time
		s    string
		name string
	}{{&d.Created, in.Created, "created"}, {&d.Modified, in.Modified, "modified"}, {&d.Added, in.Added, "added"}} {
		if t.s == "" {
			continue
		}
		v, err := parseTime(t.s, im.opts.Location)
		if err != nil {
			im.fail(label, "%s: %v", t.name, err)
			return nil
		}
		*t.dst = v
	}
	now := im.st.Now()
	if d.Added.IsZero() {
		d.Added = now
	}
	if d.Created.IsZero() {
		d.Created = d.Added
	}
	if d.Modified.IsZero() {
		d.Modified = d.Added
	}
	if d.MimeType == "" {
		d.MimeType = mime.TypeByExtension(strings.ToLower(filepath.Ext(r.File)))
		if i := strings.IndexByte(d.MimeType, ';'); i >= 0 {
			d.MimeType = d.MimeType[:i]
		}
	}
	if in.StorageType != "" && in.StorageType != "unencrypted" {
		im.warn(label, "storage type %q: the exported files are read as unencrypted, as paperless-ng's exporter writes them", in.StorageType)
	}
	if c := in.Correspondent; c != nil {
		if _, ok := im.corrs[*c]; ok {
			d.CorrespondentID = c
		} else {
			im.warn(label, "correspondent %d is not in the export; left empty", *c)
		}
	}
	if t := in.DocumentType; t != nil {
		if _, ok := im.types[*t]; ok {
			d.DocumentTypeID = t
		} else {
			im.warn(label, "document type %d is not in the export; left empty", *t)
		}
	}
	it := &item{label: label, doc: d, sha256: sha256sum, dataOnly: dataOnly}
	for _, t := range in.Tags {
		if _, ok := im.tagNames[t]; ok {
			it.tags = append(it.tags, t)
		} else {
			im.warn(label, "tag %d is not in the export; left out", t)
		}
	}
	if in.ArchiveChecksum != nil && r.Archive != "" {
		s := strings.ToLower(*in.ArchiveChecksum)
		d.ArchiveChecksum = &s
	}
	var err error
	if dataOnly {
		// paperless-ngx --data-only: the files are in the media folder
		// already, under the names the manifest gives.
		d.Filename = in.Filename
		if it.src, err = im.opts.Media.OriginalPath(filepath.FromSlash(*in.Filename)); err != nil {
			im.fail(label, "stored file name: %v", err)
			return nil
		}
		if a := in.ArchiveFilename; a != nil && *a != "" {
			d.ArchiveFilename = a
			s := strings.ToLower(*in.ArchiveChecksum)
			d.ArchiveChecksum = &s
			if it.arch, err = im.opts.Media.ArchivePath(filepath.FromSlash(*a)); err != nil {
				im.fail(label, "stored archive file name: %v", err)
				return nil
			}
		}
		return it
	}
	if it.src, err = files.Within(im.dir, filepath.FromSlash(r.File)); err != nil {
		im.fail(label, "exported file name: %v", err)
		return nil
	}
	if r.Thumbnail != "" {
		if it.thumb, err = files.Within(im.dir, filepath.FromSlash(r.Thumbnail)); err != nil {
			im.fail(label, "exported thumbnail name: %v", err)
			return nil
		}
	}
	if r.Archive != "" {
		if it.arch, err = files.Within(im.dir, filepath.FromSlash(r.Archive)); err != nil {
			im.fail(label, "exported archive name: %v", err)
			return nil
		}
	}
	ext := parse.Extension(d.MimeType)
	if ext == "" {
		ext = strings.ToLower(filepath.Ext(r.File))
	}
	fn := im.filename(d, it.tags, ext)
	d.Filename = &fn
	if it.arch != "" {
		afn := strings.TrimSuffix(fn, filepath.Ext(fn)) + ".pdf"
		d.ArchiveFilename = &afn
	}
	return it
}

// filename is a document's storage name (relative to the originals).
func (im *importer) filename(d *store.Document, tagIDs []int, ext string) string {
	format := im.opts.Format
	if d.StoragePathID != nil && im.spFormats[*d.StoragePathID] != nil {
		format = im.spFormats[*d.StoragePathID] // as the storage path files it
	}
	if format == nil {
		return files.DefaultFilename(d.ID, ext)
	}
	fd := files.FormatData{ID: d.ID, Title: d.Title, Created: d.Created.In(im.opts.Location), Added: d.Added.In(im.opts.Location), Ext: ext,
		ASN: d.ArchiveSerialNumber, OriginalName: d.OriginalFilename}
	if d.CorrespondentID != nil {
		fd.Correspondent = im.corrs[*d.CorrespondentID]
	}
	if d.DocumentTypeID != nil {
		fd.DocumentType = im.types[*d.DocumentTypeID]
	}
	for _, id := range tagIDs {
		fd.Tags = append(fd.Tags, im.tagNames[id])
	}
	sort.Slice(fd.Tags, func(i, j int) bool { return strings.ToLower(fd.Tags[i]) < strings.ToLower(fd.Tags[j]) })
	return format.Filename(fd)
}

// eachItem runs fn over items on opts.Workers goroutines, each with its
// own copy buffer.
func (im *importer) eachItem(items []*item, fn func(it *item, buf []byte)) {
	var wg sync.WaitGroup
	work := make(chan *item)
	for range min(im.opts.Workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64<<10)
			for it := range work {
				fn(it, buf)
			}
		}()
	}
	for _, it := range items {
		work <- it
	}
	close(work)
	wg.Wait()
}

// prehash computes the MD5 digests Quire stores of the items whose
// manifest gives SHA-256 (paperless-ngx 3.x) or whose files are in
// storage already (data only), verifying each file against the manifest
// on the way; it returns the items that passed.
func (im *importer) prehash(items []*item) []*item {
	var todo []*item
	for _, it := range items {
		if it.sha256 || it.dataOnly {
			todo = append(todo, it)
		}
	}
	if len(todo) == 0 {
		return items
	}
	im.eachItem(todo, func(it *item, buf []byte) {
		d := it.doc
		sum, err := hashVerified(it.src, d.Checksum, buf)
		if err != nil {
			it.err = fmt.Errorf("original: %w", err)
			return
		}
		d.Checksum = sum
		if it.arch != "" {
			asum, err := hashVerified(it.arch, *d.ArchiveChecksum, buf)
			if err != nil {
				it.err = fmt.Errorf("archive version: %w", err)
				return
			}
			d.ArchiveChecksum = &asum
		}
	})
	ok := items[:0]
	for _, it := range items {
		if it.err != nil {
			im.fail(it.label, "%v", it.err)
			continue
		}
		ok = append(ok, it)
	}
	return ok
}

// hashVerified reads the file at path and returns its MD5 (hex), after
// checking it against want: an MD5 or a SHA-256 digest (hex).
func hashVerified(path, want string, buf []byte) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s is missing", filepath.Base(path))
		}
		return "", err
	}
	defer f.Close()
	m := md5.New()
	var w io.Writer = m
	var s hash.Hash
	if len(want) == 64 {
		s = sha256.New()
		w = io.MultiWriter(m, s)
	}
	if _, err := io.CopyBuffer(w, f, buf); err != nil {
		return "", fmt.Errorf("read %s: %w", filepath.Base(path), err)
	}
	sum := hex.EncodeToString(m.Sum(nil))
	got := sum
	if s != nil {
		got = hex.EncodeToString(s.Sum(nil))
	}
	if got != want {
		return "", fmt.Errorf("%s is corrupt: its checksum is %s, the manifest says %s", filepath.Base(path), got, want)
	}
	return sum, nil
}

// batch imports one batch: checks against the store, files, then rows.
func (im *importer) batch(ctx context.Context, items []*item, n int) error {
	items = im.prehash(items)
	ids := make([]int, len(items))
	sums := make([]string, len(items))
	var asns []int
	for i, it := range items {
		ids[i], sums[i] = it.doc.ID, it.doc.Checksum
		if a := it.doc.ArchiveSerialNumber; a != nil {
			asns = append(asns, *a)
		}
	}
	have, err := im.st.DocumentChecksums(ctx, ids)
	if err != nil {
		return err
	}
	bySum, err := im.st.DocumentIDsByChecksums(ctx, sums)
	if err != nil {
		return err
	}
	byASN, err := im.st.DocumentIDsByASNs(ctx, asns)
	if err != nil {
		return err
	}
	var todo []*item
	seenSum, seenASN := map[string]int{}, map[int]int{}
	for _, it := range items {
		d := it.doc
		if sum, ok := have[d.ID]; ok {
			if sum == d.Checksum {
				im.rep.AlreadyPresent++
			} else {
				im.fail(it.label, "id %d is taken by another document", d.ID)
			}
			continue
		}
		if other, ok := bySum[d.Checksum]; ok {
			im.fail(it.label, "the same file is stored already, as document %d", other)
			continue
		}
		if other, ok := seenSum[d.Checksum]; ok {
			im.fail(it.label, "the same file as document %d of the export", other)
			continue
		}
		if a := d.ArchiveSerialNumber; a != nil {
			if other, ok := byASN[*a]; ok {
				im.fail(it.label, "archive serial number %d belongs to document %d", *a, other)
				continue
			}
			if other, ok := seenASN[*a]; ok {
				im.fail(it.label, "archive serial number %d belongs to document %d of the export too", *a, other)
				continue
			}
			seenASN[*a] = d.ID
		}
		seenSum[d.Checksum] = d.ID
		todo = append(todo, it)
	}
	if len(todo) == 0 {
		return nil
	}

	// Files: copied in parallel, each verified while it is copied (those
	// in storage already were verified by prehash).
	var copies []*item
	for _, it := range todo {
		if !it.dataOnly {
			copies = append(copies, it)
		}
	}
	im.eachItem(copies, func(it *item, buf []byte) { it.err = im.placeFiles(it, buf) })

	ok := todo[:0]
	var placed []string
	for _, it := range todo {
		if it.err != nil {
			im.fail(it.label, "%v", it.err)
			continue
		}
		ok = append(ok, it)
		placed = append(placed, it.placed...)
	}
	if len(ok) == 0 {
		return nil
	}
	// The files must be durable before the rows that name them commit:
	// a resumed import skips documents whose rows exist.
	if err := syncFiles(im.opts.Media, placed); err != nil {
		return err
	}
	if im.opts.beforeCommit != nil {
		if err := im.opts.beforeCommit(n); err != nil {
			return err
		}
	}
	docs := make([]*store.Document, len(ok))
	tags := make([][]int, len(ok))
	for i, it := range ok {
		docs[i], tags[i] = it.doc, it.tags
	}
	extras, err := im.extras(ctx, docs)
	if err != nil {
		return err
	}
	err = im.st.ImportDocumentsWith(ctx, docs, tags, extras)
	if err == nil {
		im.rep.Documents += len(docs)
		im.stored(extras)
		for _, d := range docs {
			if d.DeletedAt != nil {
				im.rep.Trashed++
			}
		}
		return nil
	}
	if ctx.Err() != nil || store.ErrorCode(err) == store.Internal {
		return err
	}
	// A constraint failed (a clash the checks above did not foresee, such
	// as a file name): one at a time, to find the culprit.
	for i, d := range docs {
		one, err := im.extras(ctx, []*store.Document{d})
		if err != nil {
			return err
		}
		if err := im.st.ImportDocumentsWith(ctx, []*store.Document{d}, tags[i:i+1], one); err != nil {
			if store.ErrorCode(err) == store.Internal {
				return err
			}
			im.fail(ok[i].label, "%v", err)
			for _, p := range ok[i].placed {
				os.Remove(p)
			}
			continue
		}
		im.rep.Documents++
		im.stored(one)
		if d.DeletedAt != nil {
			im.rep.Trashed++
		}
	}
	return nil
}

// placeFiles copies a document's files into storage, verifying the
// original and archive version against their checksums. On failure
// nothing of it is left in storage.
func (im *importer) placeFiles(it *item, buf []byte) error {
	d := it.doc
	fail := func(err error) error {
		for _, p := range it.placed {
			os.Remove(p)
		}
		it.placed = nil
		return err
	}
	dst, err := im.opts.Media.OriginalPath(*d.Filename)
	if err != nil {
		return err
	}
	if err := copyVerified(it.src, dst, d.Checksum, buf); err != nil {
		return fail(fmt.Errorf("original: %w", err))
	}
	it.placed = append(it.placed, dst)
	if it.arch != "" {
		adst, err := im.opts.Media.ArchivePath(*d.ArchiveFilename)
		if err != nil {
			return fail(err)
		}
		if err := copyVerified(it.arch, adst, *d.ArchiveChecksum, buf); err != nil {
			return fail(fmt.Errorf("archive version: %w", err))
		}
		it.placed = append(it.placed, adst)
	}
	if it.thumb == "" {
		return nil
	}
	tdst := im.opts.Media.ThumbnailPath(d.ID)
	if err := copyVerified(it.thumb, tdst, "", buf); err != nil {
		return fail(fmt.Errorf("thumbnail: %w", err))
	}
	it.placed = append(it.placed, tdst)
	return nil
}

// copyVerified copies src to dst under a temporary name, renamed into
// place only when the MD5 of what was copied is want ("" checks nothing).
// It does not fsync (syncFiles does, once per batch).
func copyVerified(src, dst, want string, buf []byte) error {
	in, err := os.Open(src)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s is missing from the export", filepath.Base(src))
		}
		return err
	}
	defer in.Close()
	dir := filepath.Dir(dst)
	f, err := os.CreateTemp(dir, "."+filepath.Base(dst)+".import-*")
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o750); err == nil {
			f, err = os.CreateTemp(dir, "."+filepath.Base(dst)+".import-*")
		}
	}
	if err != nil {
		return fmt.Errorf("create file in storage: %w", err)
	}
	h := md5.New()
	_, err = io.CopyBuffer(io.MultiWriter(f, h), in, buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("copy %s: %w", filepath.Base(src), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); want != "" && got != want {
		os.Remove(f.Name())
		return fmt.Errorf("%s is corrupt: its MD5 is %s, the manifest says %s", filepath.Base(src), got, want)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("rename into %s: %w", dst, err)
	}
	return nil
}

func manifestPath(dir string) string { return filepath.Join(dir, ManifestName) }
