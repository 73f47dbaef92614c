package accounts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/audit"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/tokens"
	"github.com/convene/convene/app/translated"
)

// The actions: each writes its rows (and any message, audit entry and revision) in the
// caller's transaction and never opens one; Service checks the input, hashes passwords before
// the transaction (no transaction waits on argon2) and runs them.

// Notifier queues a message to a person in the caller's transaction (app/mail's Outbox).
type Notifier interface {
	Notify(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any) error
}

// Post is what the actions that mail a person need: who queues the message and the address
// its links start with.
type Post struct {
	Notifier Notifier
	BaseURL  string
}

func (p Post) send(ctx context.Context, db bun.IDB, a Account, kind string, data map[string]any) error {
	lang := a.Language
	if lang == "" {
		lang = translated.Languages()[0]
	}
	return p.Notifier.Notify(ctx, db, a.Email, lang, kind, data)
}

// SignUp creates an unverified account from a checked form and the password's hash, and mails
// a confirmation link. When the address is already registered it changes nothing and mails the
// owner instead, answering exactly as for a new account, so sign-up does not reveal who has an
// account.
func SignUp(ctx context.Context, db bun.IDB, now time.Time, post Post, in SignUpInput, hash string) error {
	existing, err := ByEmail(ctx, db, in.Email)
	if err == nil {
		return post.send(ctx, db, existing, "account_exists", map[string]any{
			"Name": existing.Name, "SignInLink": post.BaseURL + "/signin", "ResetLink": post.BaseURL + "/reset"})
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	a := &Account{Email: in.Email, Name: in.Name, PasswordHash: hash, Language: in.Language,
		PrivacyVersion: privacy.Version, PrivacyAcceptedAt: &now,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(a).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			// Signed up twice at the same moment: the first one won; answer alike.
			return nil
		}
		return fmt.Errorf("creating account %s: %w", in.Email, err)
	}
	return sendVerification(ctx, db, now, post, *a, in.Next)
}

// sendVerification mails a confirmation link, which leads on to next once confirmed.
func sendVerification(ctx context.Context, db bun.IDB, now time.Time, post Post, a Account, next string) error {
	token, err := issueToken(ctx, db, now, a.ID, PurposeVerify, verifyValidity)
	if err != nil {
		return err
	}
	link := post.BaseURL + "/verify/" + token
	if next != "" && next != "/" {
		link += "?next=" + url.QueryEscape(next)
	}
	return post.send(ctx, db, a, "verify_email", map[string]any{"Name": a.Name, "Link": link, "Hours": int(verifyValidity.Hours())})
}

func issueToken(ctx context.Context, db bun.IDB, now time.Time, accountID int64, purpose string, validity time.Duration) (string, error) {
	token, hash := tokens.New()
	row := &accountToken{AccountID: accountID, Purpose: purpose, TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(validity)}
	if _, err := db.NewInsert().Model(row).Exec(ctx); err != nil {
		return "", fmt.Errorf("issuing a %s token: %w", purpose, err)
	}
	return token, nil
}

// liveToken returns the unused, unexpired one-time token of purpose. With lock (inside a
// transaction) it locks the row on PostgreSQL, so that one link cannot be used twice at once.
func liveToken(ctx context.Context, db bun.IDB, now time.Time, token, purpose string, lock bool) (accountToken, error) {
	var row accountToken
	q := db.NewSelect().Model(&row).Where("token_hash = ? AND purpose = ?", tokens.Hash(token), purpose)
	if lock {
		q = store.ForUpdate(q, db)
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return row, ErrTokenInvalid
		}
		return row, fmt.Errorf("looking up a %s token: %w", purpose, err)
	}
	if row.UsedAt != nil || !now.Before(row.ExpiresAt) {
		return row, ErrTokenInvalid
	}
	return row, nil
}

// useToken consumes a one-time token of purpose, and with it every other outstanding token of
// the same purpose for that account: an older link must not work after a newer one was used.
func useToken(ctx context.Context, db bun.IDB, now time.Time, token, purpose string) (Account, error) {
	row, err := liveToken(ctx, db, now, token, purpose, true)
	if err != nil {
		return Account{}, err
	}
	if _, err := db.NewUpdate().Model((*accountToken)(nil)).Set("used_at = ?", now).
		Where("account_id = ? AND purpose = ? AND used_at IS NULL", row.AccountID, purpose).Exec(ctx); err != nil {
		return Account{}, fmt.Errorf("using a %s token: %w", purpose, err)
	}
	return ByID(ctx, db, row.AccountID)
}

// VerifyEmail confirms the address the token was mailed to.
func VerifyEmail(ctx context.Context, db bun.IDB, now time.Time, token string) (Account, error) {
	a, err := useToken(ctx, db, now, token, PurposeVerify)
	if err != nil {
		return a, err
	}
	a.EmailVerifiedAt, a.UpdatedAt = &now, now
	if _, err = db.NewUpdate().Model(&a).Column("email_verified_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return a, err
	}
	return a, store.LoginsChanged(ctx, db)
}

// ResendVerification mails a new confirmation link to a checked address; silent for unknown or
// verified ones.
func ResendVerification(ctx context.Context, db bun.IDB, now time.Time, post Post, email string) error {
	a, err := ByEmail(ctx, db, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && a.EmailVerifiedAt != nil) {
		return nil
	}
	if err != nil {
		return err
	}
	return sendVerification(ctx, db, now, post, a, "")
}

// SignIn opens a login lasting life for account a, whose password was checked, as the address
// it signed in with. It ends previousLogin (the browser's earlier login, if any), so a sign-in
// always rotates the token, and forgets the address's failed attempts.
func SignIn(ctx context.Context, db bun.IDB, now time.Time, life time.Duration, a Account, email, userAgent, previousLogin string) (string, error) {
	if err := forgetFailures(ctx, db, email); err != nil {
		return "", err
	}
	if previousLogin != "" {
		if _, err := db.NewDelete().Model((*Login)(nil)).Where("token_hash = ?", tokens.Hash(previousLogin)).Exec(ctx); err != nil {
			return "", fmt.Errorf("ending the previous login: %w", err)
		}
		if err := store.LoginsChanged(ctx, db); err != nil {
			return "", err
		}
	}
	return openLogin(ctx, db, now, life, a.ID, userAgent)
}

func openLogin(ctx context.Context, db bun.IDB, now time.Time, life time.Duration, accountID int64, userAgent string) (string, error) {
	token, hash := tokens.New()
	if r := []rune(userAgent); len(r) > 200 {
		userAgent = string(r[:200])
	}
	l := &Login{TokenHash: hash, AccountID: accountID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(life), UserAgent: userAgent}
	if _, err := db.NewInsert().Model(l).Exec(ctx); err != nil {
		return "", fmt.Errorf("opening a login: %w", err)
	}
	return token, nil
}

// SignOut ends the login of token.
func SignOut(ctx context.Context, db bun.IDB, token string) error {
	if _, err := db.NewDelete().Model((*Login)(nil)).Where("token_hash = ?", tokens.Hash(token)).Exec(ctx); err != nil {
		return fmt.Errorf("signing out: %w", err)
	}
	return store.LoginsChanged(ctx, db)
}

// EndAllLogins ends every login of an account.
func EndAllLogins(ctx context.Context, db bun.IDB, accountID int64) error {
	if _, err := db.NewDelete().Model((*Login)(nil)).Where("account_id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("ending the logins of account %d: %w", accountID, err)
	}
	return store.LoginsChanged(ctx, db)
}

// EndLogin ends one of the account's own logins.
func EndLogin(ctx context.Context, db bun.IDB, accountID, loginID int64) error {
	res, err := db.NewDelete().Model((*Login)(nil)).Where("id = ? AND account_id = ?", loginID, accountID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("ending login %d: %w", loginID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return store.LoginsChanged(ctx, db)
}

// RequestPasswordReset mails a reset link to a checked address; silent for unknown ones.
func RequestPasswordReset(ctx context.Context, db bun.IDB, now time.Time, post Post, email string) error {
	a, err := ByEmail(ctx, db, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, err := issueToken(ctx, db, now, a.ID, PurposeReset, resetValidity)
	if err != nil {
		return err
	}
	return post.send(ctx, db, a, "password_reset", map[string]any{
		"Name": a.Name, "Link": post.BaseURL + "/reset/" + token, "Minutes": int(resetValidity.Minutes())})
}

// setPassword stores a new hash, ends every login and every outstanding reset link, and tells
// the owner.
func setPassword(ctx context.Context, db bun.IDB, now time.Time, post Post, a *Account, hash string) error {
	a.PasswordHash, a.PasswordChangedAt, a.UpdatedAt = hash, now, now
	if _, err := db.NewUpdate().Model(a).Column("password_hash", "password_changed_at", "updated_at", "email_verified_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("changing the password: %w", err)
	}
	if err := EndAllLogins(ctx, db, a.ID); err != nil {
		return err
	}
	// A reset link mailed before the change must not undo it.
	if _, err := db.NewUpdate().Model((*accountToken)(nil)).Set("used_at = ?", now).
		Where("account_id = ? AND purpose = ? AND used_at IS NULL", a.ID, PurposeReset).Exec(ctx); err != nil {
		return fmt.Errorf("ending outstanding reset links: %w", err)
	}
	return post.send(ctx, db, *a, "password_changed", map[string]any{"Name": a.Name, "ResetLink": post.BaseURL + "/reset"})
}

// SetPassword gives account a the password of hash, as its operator asks on the command line,
// and records it in the audit log.
func SetPassword(ctx context.Context, db bun.IDB, now time.Time, post Post, a *Account, hash string) error {
	if err := forgetFailures(ctx, db, a.Email); err != nil {
		return err
	}
	if err := setPassword(ctx, db, now, post, a, hash); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, audit.Actor{}, "account.password_set", "account", fmt.Sprint(a.ID), nil)
}

// ResetPassword sets the password of hash from a mailed link. Following the link proves the
// address, so it also verifies it, and failed guesses by anyone no longer slow its owner.
func ResetPassword(ctx context.Context, db bun.IDB, now time.Time, post Post, token, hash string) (Account, error) {
	a, err := useToken(ctx, db, now, token, PurposeReset)
	if err != nil {
		return a, err
	}
	if a.EmailVerifiedAt == nil {
		a.EmailVerifiedAt = &now
	}
	if err := forgetFailures(ctx, db, a.Email); err != nil {
		return a, err
	}
	return a, setPassword(ctx, db, now, post, &a, hash)
}

// ChangePassword gives account a, whose current password was checked, the password of hash and
// returns a fresh login lasting life for the browser that asked.
func ChangePassword(ctx context.Context, db bun.IDB, now time.Time, post Post, life time.Duration, a Account, hash, userAgent string) (string, error) {
	if err := setPassword(ctx, db, now, post, &a, hash); err != nil {
		return "", err
	}
	return openLogin(ctx, db, now, life, a.ID, userAgent)
}

// UpdateProfile changes name, interface language and time zone from a checked form. The
// account is read locked, so the name it compares against is the one it replaces.
func UpdateProfile(ctx context.Context, db bun.IDB, now time.Time, accountID int64, in ProfileInput) error {
	var before Account
	if err := store.ForUpdate(db.NewSelect().Model(&before).Where("id = ?", accountID), db).Scan(ctx); err != nil {
		return store.NotFound(err)
	}
	if _, err := db.NewUpdate().Model((*Account)(nil)).
		Set("name = ?", in.Name).Set("language = ?", in.Language).Set("time_zone = ?", in.TimeZone).Set("updated_at = ?", now).
		Where("id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("updating profile %d: %w", accountID, err)
	}
	// Content before logins, as every action grows them, so two cannot deadlock.
	if before.Name != in.Name { // programmes name moderators and rapporteurs
		if err := store.ContentChanged(ctx, db); err != nil {
			return err
		}
	}
	return store.LoginsChanged(ctx, db) // logins carry the account
}

// CreateAccount creates a verified account from a checked input and the password's hash. A
// registered address is ErrEmailTaken.
func CreateAccount(ctx context.Context, db bun.IDB, now time.Time, in CreateInput, hash string) (Account, error) {
	a := Account{Email: in.Email, Name: in.Name, PasswordHash: hash, IsAdmin: in.Admin, Language: in.Language, EmailVerifiedAt: &now,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return Account{}, ErrEmailTaken
		}
		return Account{}, fmt.Errorf("creating account %s: %w", in.Email, err)
	}
	return a, nil
}

// SetAdmin grants or removes admin rights. Removing the last admin is ErrLastAdmin. The admins
// are locked first, so two admins cannot remove each other at the same moment.
func SetAdmin(ctx context.Context, db bun.IDB, now time.Time, actor audit.Actor, accountID int64, admin bool) error {
	admins, err := lockAdmins(ctx, db)
	if err != nil {
		return err
	}
	a, err := ByID(ctx, db, accountID)
	if err != nil {
		return err
	}
	if a.IsAdmin == admin {
		return nil
	}
	if !admin && len(admins) <= 1 {
		return ErrLastAdmin.At("admin")
	}
	if _, err := db.NewUpdate().Model((*Account)(nil)).Set("is_admin = ?", admin).Set("updated_at = ?", now).
		Where("id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("setting admin of %d: %w", accountID, err)
	}
	if err := store.LoginsChanged(ctx, db); err != nil {
		return err
	}
	return audit.Record(ctx, db, now, actor, "account.set_admin", "account", fmt.Sprint(accountID), map[string]any{"admin": admin})
}

// lockAdmins returns the ids of the admins, locked until the transaction ends (PostgreSQL;
// SQLite's writers are serialised anyway).
func lockAdmins(ctx context.Context, db bun.IDB) ([]int64, error) {
	var admins []int64
	q := db.NewSelect().Model((*Account)(nil)).Column("id").Where("is_admin")
	if err := store.ForUpdate(q, db).Scan(ctx, &admins); err != nil {
		return nil, fmt.Errorf("locking admins: %w", err)
	}
	return admins, nil
}
