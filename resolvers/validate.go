package resolvers

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire/store"
	"github.com/quirehq/quire/store/match"
)

// Field limits, as paperless's models have them.
const (
	maxNameLen  = 128
	maxMatchLen = 256
	maxTitleLen = 128
	minASN      = -2147483648
	maxASN      = 2147483647
)

// Messages clients see; they are paperless's (Django REST framework's) texts.
const (
	msgRequired = "This field is required."
	msgBlank    = "This field may not be blank."
)

func msgTooLong(n int) string {
	return fmt.Sprintf("Ensure this field has no more than %d characters.", n)
}

// matchingInput is what correspondents, document types and tags share.
type matchingInput struct {
	Name              *string
	Match             *string
	MatchingAlgorithm *store.MatchingAlgorithm
}

// validateMatching checks name and match. create requires a name. A regular
// expression is compiled when the request sets the algorithm to REGEX
// (paperless 1.x validates only then), by match.ValidateRegex: the dialect
// the matcher uses, so what is accepted here is what matching runs.
func validateMatching(fe store.FieldErrors, in matchingInput, create bool) {
	if in.Name == nil {
		if create {
			fe.Add("name", msgRequired)
		}
	} else {
		n := strings.TrimSpace(*in.Name)
		switch {
		case n == "":
			fe.Add("name", msgBlank)
		case utf8.RuneCountInString(n) > maxNameLen:
			fe.Add("name", msgTooLong(maxNameLen))
		}
	}
	if in.Match != nil && utf8.RuneCountInString(*in.Match) > maxMatchLen {
		fe.Add("match", msgTooLong(maxMatchLen))
	}
	if in.MatchingAlgorithm != nil {
		a := *in.MatchingAlgorithm
		if a < store.MatchNone || a > store.MatchAuto {
			fe.Add("matchingAlgorithm", fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(int(a))))
		}
		if a == store.MatchRegex && in.Match != nil {
			if err := match.ValidateRegex(*in.Match); err != nil {
				fe.Add("match", "Invalid regular expression: "+regexErrorText(err))
			}
		}
	}
}

// regexErrorText strips the compiler's "error parsing regexp: " prefix.
func regexErrorText(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

// trimName trims surrounding white space from a name in place.
func trimName(name *string) {
	if name != nil {
		*name = strings.TrimSpace(*name)
	}
}

func validateColor(fe store.FieldErrors, color *string) {
	if color == nil {
		return
	}
	if !hexColor.MatchString(*color) {
		fe.Add("color", "Enter a valid colour: # and six hex digits.")
	}
}

func validateDocumentUpdate(fe store.FieldErrors, u store.DocumentUpdate) {
	if u.Title != nil && utf8.RuneCountInString(*u.Title) > maxTitleLen {
		fe.Add("title", msgTooLong(maxTitleLen))
	}
	if asn, ok := u.ArchiveSerialNumber.ValueOK(); ok && asn != nil {
		if *asn > maxASN {
			fe.Add("archiveSerialNumber", fmt.Sprintf("Ensure this value is less than or equal to %d.", maxASN))
		} else if *asn < minASN {
			fe.Add("archiveSerialNumber", fmt.Sprintf("Ensure this value is greater than or equal to %d.", minASN))
		}
	}
}

func validateSavedView(fe store.FieldErrors, in store.SavedViewInput, create bool) {
	if create {
		if in.Name == nil {
			fe.Add("name", msgRequired)
		}
		if in.ShowOnDashboard == nil {
			fe.Add("showOnDashboard", msgRequired)
		}
		if in.ShowInSidebar == nil {
			fe.Add("showInSidebar", msgRequired)
		}
		if !in.FilterRules.IsSet() {
			fe.Add("filterRules", msgRequired)
		}
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" {
			fe.Add("name", msgBlank)
		} else if utf8.RuneCountInString(n) > maxNameLen {
			fe.Add("name", msgTooLong(maxNameLen))
		}
	}
	if in.FilterRules.IsSet() && in.FilterRules.Value() == nil && !create {
		// An explicit null is read as "no rules".
		return
	}
	for _, r := range in.FilterRules.Value() {
		if r.RuleType < 0 || r.RuleType > 21 {
			fe.Add("filterRules", fmt.Sprintf("%q is not a valid choice.", fmt.Sprint(r.RuleType)))
		}
	}
}

// validPage rejects nonsensical page arguments.
func pageArgs(page, pageSize *int) (store.Page, error) {
	p := store.Page{Number: 1, Size: store.DefaultPageSize}
	if page != nil {
		p.Number = *page
	}
	if pageSize != nil {
		p.Size = *pageSize
	}
	fe := store.FieldErrors{}
	if p.Number == 0 {
		fe.Add("page", "Pages count from 1 (negative pages count from the end).")
	}
	if p.Size < 1 {
		fe.Add("pageSize", "Ensure this value is greater than or equal to 1.")
	}
	if err := fe.Err(); err != nil {
		return p, err
	}
	p.Size = min(p.Size, store.MaxPageSize)
	return p, nil
}
