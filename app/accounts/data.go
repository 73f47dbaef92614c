package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Export is everything Convene stores about one person, for their download.
type Export struct {
	Account   Account    `json:"account"`
	Logins    []Login    `json:"logins"`
	APITokens []APIToken `json:"api_tokens"`
	Grants    []Grant    `json:"role_grants"`
}

// Grant is a role the person holds, as the export shows it.
type Grant struct {
	Role      string `json:"role"`
	ProcessID int64  `json:"process_id"`
	SessionID int64  `json:"session_id,omitempty"`
}

// Export gathers the person's data.
func (s *Service) Export(ctx context.Context, accountID int64) (Export, error) {
	var e Export
	var err error
	if e.Account, err = ByID(ctx, s.DB, accountID); err != nil {
		return e, err
	}
	if err := s.DB.NewSelect().Model(&e.Logins).Where("account_id = ?", accountID).OrderExpr("id").Scan(ctx); err != nil {
		return e, fmt.Errorf("exporting logins: %w", err)
	}
	if err := s.DB.NewSelect().Model(&e.APITokens).Where("account_id = ?", accountID).OrderExpr("id").Scan(ctx); err != nil {
		return e, fmt.Errorf("exporting API tokens: %w", err)
	}
	if err := s.DB.NewSelect().Table("grants").Column("role", "process_id", "session_id").
		Where("account_id = ?", accountID).OrderExpr("id").Scan(ctx, &e.Grants); err != nil {
		return e, fmt.Errorf("exporting role grants: %w", err)
	}
	return e, nil
}

// Delete erases the account and everything tied to it (the foreign keys cascade), after
// checking its password: a wrong one is ErrBadCredentials with a field error on
// delete_password (the profile page has several password fields). The last admin cannot
// delete itself (ErrLastAdmin).
func (s *Service) Delete(ctx context.Context, accountID int64, password string) error {
	a, err := ByID(ctx, s.DB, accountID)
	if err != nil {
		return err
	}
	if password == "" {
		return validate.Errors{{Field: "delete_password", Code: validate.Required}}
	}
	ok, err := s.Hasher.Verify(ctx, a.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return refusal(ErrBadCredentials, validate.Errors{{Field: "delete_password", Code: CodeBadCredentials}})
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The admins are read locked inside the transaction, so a concurrent demotion or
		// deletion cannot leave none.
		q := tx.NewSelect().Model((*Account)(nil)).Column("id").Where("is_admin")
		var admins []int64
		if err := store.ForUpdate(q, tx).Scan(ctx, &admins); err != nil {
			return fmt.Errorf("locking admins: %w", err)
		}
		if len(admins) == 1 && admins[0] == accountID {
			return ErrLastAdmin
		}
		if _, err := tx.NewDelete().Model((*Account)(nil)).Where("id = ?", accountID).Exec(ctx); err != nil {
			return fmt.Errorf("deleting account %d: %w", accountID, err)
		}
		return nil
	})
}

const apiTokenPrefix = "cvn_"

// CreateAPIToken makes a named token for the account; the plain token is returned once and
// only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, db bun.IDB, accountID int64, name string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	var es validate.Errors
	es.Text("token_name", name, 100)
	if err := es.Err(); err != nil {
		return "", APIToken{}, err
	}
	raw, _ := newToken()
	plain := apiTokenPrefix + raw
	t := APIToken{AccountID: accountID, Name: name, TokenHash: hashToken(plain), Prefix: raw[:8], CreatedAt: s.Clock.Now()}
	if _, err := db.NewInsert().Model(&t).Exec(ctx); err != nil {
		return "", APIToken{}, fmt.Errorf("creating an API token: %w", err)
	}
	return plain, t, nil
}

// AuthenticateAPIToken returns the account of a bearer token.
func (s *Service) AuthenticateAPIToken(ctx context.Context, plain string) (Account, error) {
	if !strings.HasPrefix(plain, apiTokenPrefix) {
		return Account{}, ErrTokenInvalid
	}
	var t APIToken
	if err := s.DB.NewSelect().Model(&t).Where("token_hash = ?", hashToken(plain)).Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Account{}, ErrTokenInvalid
		}
		return Account{}, err
	}
	if t.RevokedAt != nil {
		return Account{}, ErrTokenInvalid
	}
	now := s.Clock.Now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if _, err := s.DB.NewUpdate().Model((*APIToken)(nil)).Set("last_used_at = ?", now).Where("id = ?", t.ID).Exec(ctx); err != nil {
			return Account{}, fmt.Errorf("touching API token %d: %w", t.ID, err)
		}
	}
	return ByID(ctx, s.DB, t.AccountID)
}

// ListAPITokens lists the account's tokens, newest first.
func (s *Service) ListAPITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var out []APIToken
	if err := s.DB.NewSelect().Model(&out).Where("account_id = ?", accountID).OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes one of the account's own tokens; another person's is not found.
func (s *Service) RevokeAPIToken(ctx context.Context, accountID, tokenID int64) error {
	res, err := s.DB.NewUpdate().Model((*APIToken)(nil)).Set("revoked_at = ?", s.Clock.Now()).
		Where("id = ? AND account_id = ? AND revoked_at IS NULL", tokenID, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoking API token %d: %w", tokenID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}
