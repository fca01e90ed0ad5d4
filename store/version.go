package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// Version is the archive's change version: the sum of the counters rows,
// which triggers raise in every transaction that changes a document, its
// tags, a tag, correspondent, document type or saved view — whichever
// process commits it. Two reads return the same version only if nothing
// the API shows changed in between, so anything rendered from data read
// after a Version call may be reused for as long as Version returns the
// same value. (Users, sessions, tokens, logs and consumption tasks are not
// covered.)
//
// Inside a transaction it reads the transaction's own view.
func (s *Store) Version(ctx context.Context) (int64, error) {
	var v int64
	var err error
	if _, inTx := ctx.Value(txKey{}).(bun.Tx); inTx {
		err = s.db(ctx).NewRaw(versionSQL).Scan(ctx, &v)
	} else {
		err = s.versionStmt.QueryRowContext(ctx).Scan(&v)
	}
	if err != nil {
		return 0, fmt.Errorf("read archive version: %w", err)
	}
	return v, nil
}

const versionSQL = "SELECT sum(value) FROM counters"

// prepareVersion prepares versionSQL once on the reader pool: it is asked
// for on every cacheable request.
func (s *Store) prepareVersion(ctx context.Context) error {
	stmt, err := s.read.DB.PrepareContext(ctx, versionSQL)
	if err != nil {
		return fmt.Errorf("prepare archive version: %w", err)
	}
	s.versionStmt = stmt
	return nil
}
