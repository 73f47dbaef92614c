package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Holder is a capability that keeps personal data of its own (role grants, registrations,
// questions ...). Each registers one in the wiring; the account page's download and delete
// call them all, so the accounts capability knows none of their tables.
type Holder struct {
	Name string // the key of its part in the download, e.g. "role_grants"
	Data PersonalData
}

// PersonalData exports and erases what one capability holds about one person. Erase runs in
// the transaction that deletes the account: it removes the person's rows, or anonymises those
// that aggregates need.
type PersonalData interface {
	Export(ctx context.Context, db bun.IDB, accountID int64, email string) (any, error)
	Erase(ctx context.Context, db bun.IDB, now time.Time, accountID int64, email string) error
}

// Export gathers everything Convene holds about one person, for their download (or an admin's,
// on their request): the account, its logins and API tokens, and each holder's part under its
// name. The download is recorded in the audit log: it holds personal data.
func (s *Service) Export(ctx context.Context, actor audit.Actor, accountID int64) (map[string]any, error) {
	a, err := ByID(ctx, s.DB, accountID)
	if err != nil {
		return nil, err
	}
	logins, tokens := []Login{}, []APIToken{}
	if err := s.DB.NewSelect().Model(&logins).Where("account_id = ?", accountID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("exporting logins: %w", err)
	}
	if err := s.DB.NewSelect().Model(&tokens).Where("account_id = ?", accountID).OrderExpr("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("exporting API tokens: %w", err)
	}
	out := map[string]any{"account": a, "logins": logins, "api_tokens": tokens}
	for _, h := range s.Personal {
		part, err := h.Data.Export(ctx, s.DB, a.ID, a.Email)
		if err != nil {
			return nil, fmt.Errorf("exporting %s: %w", h.Name, err)
		}
		out[h.Name] = part
	}
	if err := audit.Record(ctx, s.DB, s.Clock.Now(), actor, "account.export", "account", fmt.Sprint(a.ID), nil); err != nil {
		return nil, err
	}
	return out, nil
}

// EraseByAdmin erases account accountID at its owner's request, by an admin (no password):
// as Delete does, audited as the admin's action.
func (s *Service) EraseByAdmin(ctx context.Context, actor audit.Actor, accountID int64) error {
	a, err := ByID(ctx, s.DB, accountID)
	if err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return Erase(ctx, tx, s.Clock.Now(), actor, a, s.Personal)
	})
}

// Delete erases the account after checking its password (a wrong one is a field error on
// delete_password: the profile page has several password fields). Every holder erases its part
// in the same transaction; the foreign keys take logins and tokens. The last admin cannot
// delete itself (ErrLastAdmin).
func (s *Service) Delete(ctx context.Context, actor audit.Actor, accountID int64, password string) error {
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
		return validate.Errors{{Field: "delete_password", Code: CodeBadCredentials}}
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return Erase(ctx, tx, s.Clock.Now(), actor, a, s.Personal)
	})
}

// Erase removes account a and, through every holder, the personal data tied to it, in the
// caller's transaction. The admins are locked first, so a concurrent demotion or deletion
// cannot leave none.
func Erase(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, a Account, holders []Holder) error {
	admins, err := lockAdmins(ctx, db)
	if err != nil {
		return err
	}
	if len(admins) == 1 && admins[0] == a.ID {
		return ErrLastAdmin.At("delete_password")
	}
	for _, h := range holders {
		if err := h.Data.Erase(ctx, db, now, a.ID, a.Email); err != nil {
			return fmt.Errorf("erasing %s of account %d: %w", h.Name, a.ID, err)
		}
	}
	if _, err := db.NewDelete().Model((*Account)(nil)).Where("id = ?", a.ID).Exec(ctx); err != nil {
		return fmt.Errorf("deleting account %d: %w", a.ID, err)
	}
	if actor.AccountID == a.ID {
		actor.AccountID = 0 // the entry outlives its actor
	}
	// Programmes name moderators and rapporteurs: the person's name leaves them. Their logins
	// are gone with the account.
	if err := store.ContentChanged(ctx, db); err != nil {
		return err
	}
	if err := store.LoginsChanged(ctx, db); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, actor, "account.delete", "account", fmt.Sprint(a.ID), nil)
}

const apiTokenPrefix = "cvn_"

// CreateAPIToken makes a named token for the account; the plain token is returned once and
// only its hash is kept.
func (s *Service) CreateAPIToken(ctx context.Context, accountID int64, name string) (string, APIToken, error) {
	return CreateAPIToken(ctx, s.DB, s.Clock.Now(), accountID, name)
}

// CreateAPIToken makes a named token for the account in db (the caller's transaction).
func CreateAPIToken(ctx context.Context, db bun.IDB, now time.Time, accountID int64, name string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	var es validate.Errors
	es.Text("token_name", name, 100)
	if err := es.Err(); err != nil {
		return "", APIToken{}, err
	}
	raw, _ := newToken()
	plain := apiTokenPrefix + raw
	t := APIToken{AccountID: accountID, Name: name, TokenHash: hashToken(plain), Prefix: raw[:8], CreatedAt: now}
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
	// One query reads the token and its account.
	if err := s.DB.NewSelect().Model(&t).Relation("Account").Where("api_token.token_hash = ?", hashToken(plain)).Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Account{}, ErrTokenInvalid
		}
		return Account{}, err
	}
	if t.RevokedAt != nil || t.Account == nil {
		return Account{}, ErrTokenInvalid
	}
	if now := s.Clock.Now(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.touchToken(t.ID); err != nil {
			return Account{}, err
		}
	}
	return *t.Account, nil
}

// ListAPITokens lists the account's tokens, newest first.
func (s *Service) ListAPITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var out []APIToken
	if err := s.DB.NewSelect().Model(&out).Where("account_id = ?", accountID).OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	return out, nil
}

// APITokenOf returns one of the account's own tokens; another person's is not found.
func APITokenOf(ctx context.Context, db bun.IDB, accountID, tokenID int64) (APIToken, error) {
	var t APIToken
	if err := db.NewSelect().Model(&t).Where("id = ? AND account_id = ?", tokenID, accountID).Scan(ctx); err != nil {
		return t, fmt.Errorf("API token %d: %w", tokenID, store.NotFound(err))
	}
	return t, nil
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

// touchToken records that API token id was used now. Tokens used at the same moment (a room
// of people registering at once, each with their own) are written in one statement.
func (s *Service) touchToken(id int64) error {
	s.touchOnce.Do(func() {
		s.touches.Run = func(ids []int64) []error {
			out := make([]error, len(ids))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := s.DB.NewUpdate().Model((*APIToken)(nil)).Set("last_used_at = ?", s.Clock.Now()).
				Where("id IN (?)", bun.List(ids)).Exec(ctx)
			for i := range out {
				if err != nil {
					out[i] = fmt.Errorf("touching API token %d: %w", ids[i], err)
				}
			}
			return out
		}
	})
	res, err := s.touches.Do(id)
	if err != nil {
		return err
	}
	return res
}
