package search

import (
	"errors"
	"fmt"

	"github.com/quirehq/quire/store"
)

// ParseError says why a query could not be parsed. Pos is the byte offset in
// the query where the problem was found. It converts to a Validation
// *store.Error (errors.As works for both), so the API layers report it as a
// bad request with Message as the text.
type ParseError struct {
	Pos     int
	Message string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("invalid query at character %d: %s", e.Pos+1, e.Message)
}

// As lets errors.As(err, **store.Error) see a ParseError as a Validation
// error on the field "query".
func (e *ParseError) As(target any) bool {
	if t, ok := target.(**store.Error); ok {
		*t = &store.Error{Code: store.Validation, Message: e.Error(),
			Fields: map[string][]string{"query": {e.Error()}}}
		return true
	}
	return false
}

// IsParseError reports whether err is (or wraps) a *ParseError.
func IsParseError(err error) bool {
	var pe *ParseError
	return errors.As(err, &pe)
}
