package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/tokens"
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
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return Erase(ctx, tx, now, actor, a, s.Personal)
	})
}

// EraseAddress erases what every holder keeps of an address that has no account behind it (a
// guest who proved it by holding the link mailed to it), in one transaction, audited.
func (s *Service) EraseAddress(ctx context.Context, actor audit.Actor, email string) error {
	email, ok := validate.CanonicalEmail(email)
	if !ok {
		return problem.ErrNotFound
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		for _, h := range s.Personal {
			if err := h.Data.Erase(ctx, tx, now, 0, email); err != nil {
				return fmt.Errorf("erasing %s of a guest: %w", h.Name, err)
			}
		}
		// The address itself stays out of the log: it is what was erased.
		return audit.Record(ctx, tx, now, actor, "guest.erase", "guest", "", nil)
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
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return Erase(ctx, tx, now, actor, a, s.Personal)
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
	raw, _ := tokens.New()
	plain := apiTokenPrefix + raw
	t := APIToken{AccountID: accountID, Name: name, TokenHash: tokens.Hash(plain), Prefix: raw[:8], CreatedAt: now}
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
	t, err := s.tokenByHash(ctx, tokens.Hash(plain))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Account{}, ErrTokenInvalid
		}
		return Account{}, err
	}
	if t.RevokedAt != nil || t.Account == nil {
		return Account{}, ErrTokenInvalid
	}
	last := t.LastUsedAt
	if at, ok := s.uses.pending(t.ID); ok {
		last = &at
	}
	if now := s.Clock.Now(); last == nil || now.Sub(*last) >= touchEvery {
		s.uses.note(t.ID, now)
	}
	return *t.Account, nil
}

// ListAPITokens lists the account's tokens, newest first.
func (s *Service) ListAPITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var out []APIToken
	if err := s.DB.NewSelect().Model(&out).Where("account_id = ?", accountID).OrderExpr("id DESC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	for i := range out {
		if at, ok := s.uses.pending(out[i].ID); ok {
			out[i].LastUsedAt = &at
		}
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

// tokenByHash reads the token with that hash and its account. Tokens presented at the same
// moment (a room of people registering at once) are read in one query: one by one, each took a
// connection and a round trip of its own, and waited for the others' connections.
func (s *Service) tokenByHash(ctx context.Context, hash string) (APIToken, error) {
	s.readOnce.Do(func() {
		s.reads.Timeout = 10 * time.Second
		s.reads.Run = func(ctx context.Context, hashes []string) []tokenRead {
			out := make([]tokenRead, len(hashes))
			var found []APIToken
			err := s.DB.NewSelect().Model(&found).Relation("Account").Where("api_token.token_hash IN (?)", bun.List(hashes)).Scan(ctx)
			byHash := make(map[string]APIToken, len(found))
			for _, t := range found {
				byHash[t.TokenHash] = t
			}
			for i, h := range hashes {
				t, ok := byHash[h]
				switch {
				case err != nil:
					out[i].err = fmt.Errorf("reading API tokens: %w", err)
				case !ok:
					out[i].err = store.ErrNotFound
				default:
					out[i].token = t
				}
			}
			return out
		}
	})
	res, err := s.reads.Do(ctx, hash)
	if err != nil {
		return APIToken{}, err
	}
	return res.token, res.err
}

// tokenRead is what tokenByHash found for one hash.
type tokenRead struct {
	token APIToken
	err   error
}

// tokenUses holds when API tokens were last used until FlushTokenUses writes them: a room of
// people registering at once would otherwise each wait for a write of their token's last use,
// a commit per request that only the token list ever reads.
type tokenUses struct {
	mu sync.Mutex
	at map[int64]time.Time
}

func (u *tokenUses) note(id int64, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.at == nil {
		u.at = map[int64]time.Time{}
	}
	u.at[id] = at
}

func (u *tokenUses) pending(id int64) (time.Time, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	at, ok := u.at[id]
	return at, ok
}

func (u *tokenUses) take() map[int64]time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	at := u.at
	u.at = nil
	return at
}

// tokenUse is one token's last use, a row of the statement that writes them all.
type tokenUse struct {
	ID int64     `bun:"id"`
	At time.Time `bun:"at"`
}

// FlushTokenUses writes the API tokens' last uses noted since the last flush, in one
// statement. Uses that fail to be written are noted again, unless a later use came meanwhile.
func (s *Service) FlushTokenUses(ctx context.Context) error {
	taken := s.uses.take()
	if len(taken) == 0 {
		return nil
	}
	rows := make([]tokenUse, 0, len(taken))
	for id, at := range taken {
		rows = append(rows, tokenUse{ID: id, At: at})
	}
	_, err := s.DB.NewUpdate().With("_used", s.DB.NewValues(&rows)).Model((*APIToken)(nil)).TableExpr("_used").
		Set("last_used_at = _used.at").Where("api_token.id = _used.id").Exec(ctx)
	if err != nil {
		for _, r := range rows {
			if _, later := s.uses.pending(r.ID); !later {
				s.uses.note(r.ID, r.At)
			}
		}
		return fmt.Errorf("writing the last use of %d API tokens: %w", len(rows), err)
	}
	return nil
}

// TokenUseLoop writes the API tokens' last uses every interval until ctx ends. The uses of
// the last interval are the caller's to flush once requests have stopped.
func (s *Service) TokenUseLoop(ctx context.Context, every time.Duration, onError func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.FlushTokenUses(ctx); err != nil && ctx.Err() == nil {
				onError(err)
			}
		}
	}
}
