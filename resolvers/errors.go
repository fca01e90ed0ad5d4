package resolvers

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/quirehq/quire/store"
)

// Error handling has two halves. FieldErrorMiddleware sees every error a
// resolver returns: a *store.Error passes; anything else (a database
// failure, a bug) is logged once, there, and replaced by a generic INTERNAL
// error. ErrorPresenter then maps *store.Error codes to extensions.code and
// field messages to extensions.fields; an error that is not a *store.Error
// at that point can only come from gqlgen's own input coercion (an ID that
// is no number, a malformed Date), so it is the caller's: VALIDATION.

// FieldErrorMiddleware classifies resolver errors; install it with
// handler.AroundFields.
func FieldErrorMiddleware(logger *slog.Logger) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := next(ctx)
		if err == nil {
			return res, nil
		}
		var se *store.Error
		if errors.As(err, &se) {
			return res, err
		}
		fc := graphql.GetFieldContext(ctx)
		path := ""
		if fc != nil {
			path = fc.Path().String()
		}
		logger.ErrorContext(ctx, "graphql resolver failed", "path", path, "error", err)
		return res, &store.Error{Code: store.Internal, Message: "internal error"}
	}
}

// ErrorPresenter maps errors to GraphQL errors (see above).
func ErrorPresenter() graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		var se *store.Error
		if errors.As(err, &se) {
			gerr.Message = se.Message
			ext := map[string]any{"code": string(se.Code)}
			if len(se.Fields) > 0 {
				ext["fields"] = se.Fields
			}
			gerr.Extensions = ext
			return gerr
		}
		if _, ok := gerr.Extensions["code"]; !ok {
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			gerr.Extensions["code"] = string(store.Validation)
		}
		return gerr
	}
}

// RecoverFunc turns a panic in a resolver into an INTERNAL error and logs it.
func RecoverFunc(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		logger.ErrorContext(ctx, "graphql resolver panic", "panic", p)
		return &store.Error{Code: store.Internal, Message: "internal error"}
	}
}
