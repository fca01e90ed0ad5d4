package store

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an Error. The GraphQL error presenter turns it into
// extensions.code and the REST writer into an HTTP status.
type Code string

// Error codes. Anything not classified is Internal.
const (
	Internal        Code = "INTERNAL"
	NotFound        Code = "NOT_FOUND"
	Validation      Code = "VALIDATION"
	Conflict        Code = "CONFLICT"
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	// Throttled: too many attempts; Error.RetryAfter says when to retry.
	Throttled Code = "THROTTLED"
)

// Error is the one error type Quire's layers pass upwards. Fields holds
// per-field messages for Validation and Conflict errors, keyed by the
// GraphQL input field name (camelCase); "" holds object-level messages.
type Error struct {
	Code    Code
	Message string
	Fields  map[string][]string
	// RetryAfter is the whole seconds a Throttled caller should wait.
	RetryAfter int
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Message
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(e.Message)
	for _, k := range keys {
		fmt.Fprintf(&b, "; %s: %s", k, strings.Join(e.Fields[k], " "))
	}
	return b.String()
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, or
// Internal when there is none. A nil error has no code ("").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for unclassified errors (whose details must not leak).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorFields returns the per-field messages of the first *Error in err's chain.
func ErrorFields(err error) map[string][]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects per-field validation messages.
type FieldErrors map[string][]string

// Add records msg for field.
func (f FieldErrors) Add(field, msg string) { f[field] = append(f[field], msg) }

// Err returns a Validation *Error carrying the collected messages, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Validation, Message: "invalid input", Fields: f}
}

func notFound(what string, id int) *Error {
	return Errorf(NotFound, "%s %d not found", what, id)
}
