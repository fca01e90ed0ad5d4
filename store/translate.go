package store

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// SQLite extended result codes and PostgreSQL SQLSTATEs we classify.
const (
	sqliteConstraintForeignKey = 787
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
	sqliteBusy                 = 5

	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
)

// translate turns driver errors into *Error by their codes (never by
// message text). Store methods check uniqueness and references themselves
// first, so these are the fallback for races between writers.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Code: NotFound, Message: "not found"}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
			return &Error{Code: Conflict, Message: "an object with these values already exists"}
		case sqliteConstraintForeignKey:
			return &Error{Code: Validation, Message: "a referenced object does not exist"}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case pgUniqueViolation:
			return &Error{Code: Conflict, Message: "an object with these values already exists"}
		case pgForeignKeyViolation:
			return &Error{Code: Validation, Message: "a referenced object does not exist"}
		}
	}
	return err
}
