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
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Notifier queues a message to a person in the caller's transaction (app/mail's Outbox).
type Notifier interface {
	Notify(ctx context.Context, db bun.IDB, to, lang, kind string, data map[string]any) error
}

// Service runs the account actions, each in one transaction. Passwords are hashed before the
// transaction opens, so no transaction waits on argon2.
type Service struct {
	DB            *bun.DB
	Clock         clock.Clock
	Hasher        *Hasher
	Notifier      Notifier
	BaseURL       string
	LoginIdle     time.Duration
	LoginAbsolute time.Duration
	// Personal are the other capabilities holding a person's data, by the name their part
	// takes in the download; Export and Delete call every one.
	Personal []Holder

	uses     tokenUses
	readOnce sync.Once
	reads    store.Batcher[string, tokenRead] // API tokens presented together, read together
}

// SignUpInput is the sign-up form. AcceptPrivacy is the box that says the person read the
// current privacy notice.
type SignUpInput struct {
	Email, Name, Password, PasswordConfirm, Language string
	AcceptPrivacy                                    bool
}

func (s *Service) lang(a Account) string {
	if a.Language != "" {
		return a.Language
	}
	return translated.Languages()[0]
}

// SignUp creates an unverified account and mails a confirmation link. When the address is
// already registered it changes nothing and mails the owner instead, answering exactly as for
// a new account, so sign-up does not reveal who has an account.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) error {
	var es validate.Errors
	email := es.Email("email", in.Email)
	name := strings.TrimSpace(in.Name)
	es.Text("name", name, 200)
	checkNewPassword(&es, in.Password, in.PasswordConfirm, email, name, true)
	checkLanguage(&es, in.Language, true)
	if !in.AcceptPrivacy {
		es.Add("privacy", CodePrivacy, nil)
	}
	if err := es.Err(); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		existing, err := ByEmail(ctx, tx, email)
		if err == nil {
			return s.Notifier.Notify(ctx, tx, existing.Email, s.lang(existing), "account_exists", map[string]any{
				"Name": existing.Name, "SignInLink": s.BaseURL + "/signin", "ResetLink": s.BaseURL + "/reset"})
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		now := s.Clock.Now()
		a := &Account{Email: email, Name: name, PasswordHash: hash, Language: in.Language,
			PrivacyVersion: privacy.Version, PrivacyAcceptedAt: &now,
			PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			if store.IsUniqueViolation(err) {
				// Signed up twice at the same moment: the first one won; answer alike.
				return nil
			}
			return fmt.Errorf("creating account %s: %w", email, err)
		}
		return s.sendVerification(ctx, tx, *a)
	})
}

func (s *Service) sendVerification(ctx context.Context, tx bun.IDB, a Account) error {
	token, err := s.issueToken(ctx, tx, a.ID, PurposeVerify, verifyValidity)
	if err != nil {
		return err
	}
	return s.Notifier.Notify(ctx, tx, a.Email, s.lang(a), "verify_email", map[string]any{
		"Name": a.Name, "Link": s.BaseURL + "/verify/" + token, "Hours": int(verifyValidity.Hours())})
}

func (s *Service) issueToken(ctx context.Context, tx bun.IDB, accountID int64, purpose string, validity time.Duration) (string, error) {
	token, hash := newToken()
	now := s.Clock.Now()
	row := &accountToken{AccountID: accountID, Purpose: purpose, TokenHash: hash, CreatedAt: now, ExpiresAt: now.Add(validity)}
	if _, err := tx.NewInsert().Model(row).Exec(ctx); err != nil {
		return "", fmt.Errorf("issuing a %s token: %w", purpose, err)
	}
	return token, nil
}

// liveToken returns the unused, unexpired one-time token of purpose. With lock (inside a
// transaction) it locks the row on PostgreSQL, so that one link cannot be used twice at once.
func (s *Service) liveToken(ctx context.Context, db bun.IDB, token, purpose string, lock bool) (accountToken, error) {
	var row accountToken
	q := db.NewSelect().Model(&row).Where("token_hash = ? AND purpose = ?", hashToken(token), purpose)
	if lock {
		q = store.ForUpdate(q, db)
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(store.NotFound(err), store.ErrNotFound) {
			return row, ErrTokenInvalid
		}
		return row, fmt.Errorf("looking up a %s token: %w", purpose, err)
	}
	if row.UsedAt != nil || !s.Clock.Now().Before(row.ExpiresAt) {
		return row, ErrTokenInvalid
	}
	return row, nil
}

// CheckToken tells whether a mailed link still works (ErrTokenInvalid when not), so its page
// can say so before asking for anything.
func (s *Service) CheckToken(ctx context.Context, token, purpose string) error {
	_, err := s.liveToken(ctx, s.DB, token, purpose, false)
	return err
}

// useToken consumes a one-time token of purpose, and with it every other outstanding token of
// the same purpose for that account: an older link must not work after a newer one was used.
func (s *Service) useToken(ctx context.Context, tx bun.Tx, token, purpose string) (Account, error) {
	row, err := s.liveToken(ctx, tx, token, purpose, true)
	if err != nil {
		return Account{}, err
	}
	if _, err := tx.NewUpdate().Model((*accountToken)(nil)).Set("used_at = ?", s.Clock.Now()).
		Where("account_id = ? AND purpose = ? AND used_at IS NULL", row.AccountID, purpose).Exec(ctx); err != nil {
		return Account{}, fmt.Errorf("using a %s token: %w", purpose, err)
	}
	return ByID(ctx, tx, row.AccountID)
}

// VerifyEmail confirms the address the token was mailed to.
func (s *Service) VerifyEmail(ctx context.Context, token string) (Account, error) {
	var a Account
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if a, err = s.useToken(ctx, tx, token, PurposeVerify); err != nil {
			return err
		}
		now := s.Clock.Now()
		a.EmailVerifiedAt, a.UpdatedAt = &now, now
		if _, err = tx.NewUpdate().Model(&a).Column("email_verified_at", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		return store.LoginsChanged(ctx, tx)
	})
	return a, err
}

// ResendVerification mails a new confirmation link; silent for unknown or verified addresses.
func (s *Service) ResendVerification(ctx context.Context, email string) error {
	var es validate.Errors
	email = es.Email("email", email)
	if err := es.Err(); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := ByEmail(ctx, tx, email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && a.EmailVerifiedAt != nil) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, a)
	})
}

// SignIn checks the password and opens a login. It ends previousLogin (the browser's earlier
// login, if any), so a sign-in always rotates the token.
//
// Attempts are counted per address (known or not, so the answer reveals nothing) before the
// password is checked, one at a time under the count's row lock, so attempts sent in parallel
// are counted too. After the first few, each makes the next wait longer (ErrThrottled says how
// long). A browser where the account's owner signed in before (trusted reports it, from app/web's
// device cookie) is not slowed down: a stranger guessing can slow the guessing, never keep the
// owner out.
func (s *Service) SignIn(ctx context.Context, email, password, userAgent, previousLogin string, trusted func(Account) bool) (string, Account, error) {
	var es validate.Errors
	if strings.TrimSpace(email) == "" {
		es.Add("email", validate.Required, nil)
	} else if !validate.Printable(email, false) || len(email) > 254 {
		es.Add("email", CodeEmailInvalid, nil)
	}
	if password == "" {
		es.Add("password", validate.Required, nil)
	}
	if err := es.Err(); err != nil {
		return "", Account{}, err
	}
	a, err := ByEmail(ctx, s.DB, email)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", Account{}, err
	}
	if !known || trusted == nil || !trusted(a) {
		wait, err := countAttempt(ctx, s.DB, s.Clock.Now(), email)
		if err != nil {
			return "", Account{}, err
		}
		if wait > 0 {
			return "", Account{}, ErrThrottled.After(wait)
		}
	}
	ok := false
	if known {
		if ok, err = s.Hasher.Verify(ctx, a.PasswordHash, password); err != nil {
			return "", Account{}, err
		}
	} else {
		s.Hasher.VerifyNothing(ctx, password)
	}
	if !ok {
		return "", Account{}, ErrBadCredentials
	}
	if a.EmailVerifiedAt == nil {
		return "", Account{}, ErrNotVerified
	}
	var token string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := forgetFailures(ctx, tx, email); err != nil {
			return err
		}
		if previousLogin != "" {
			if _, err := tx.NewDelete().Model((*Login)(nil)).Where("token_hash = ?", hashToken(previousLogin)).Exec(ctx); err != nil {
				return fmt.Errorf("ending the previous login: %w", err)
			}
			if err := store.LoginsChanged(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		token, err = s.openLogin(ctx, tx, a.ID, userAgent)
		return err
	})
	return token, a, err
}

func (s *Service) openLogin(ctx context.Context, tx bun.IDB, accountID int64, userAgent string) (string, error) {
	token, hash := newToken()
	now := s.Clock.Now()
	if r := []rune(userAgent); len(r) > 200 {
		userAgent = string(r[:200])
	}
	l := &Login{TokenHash: hash, AccountID: accountID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(s.LoginAbsolute), UserAgent: userAgent}
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		return "", fmt.Errorf("opening a login: %w", err)
	}
	return token, nil
}

// Authenticate returns the account of a login token, enforcing the idle and absolute limits.
// It is one query; it writes only when the login was last marked seen over a minute ago (or has
// expired and is removed).
func (s *Service) Authenticate(ctx context.Context, token string) (Account, Login, error) {
	var l Login
	err := s.DB.NewSelect().Model(&l).ColumnExpr("login.*").
		ColumnExpr("EXISTS (SELECT 1 FROM grants AS g WHERE g.account_id = login.account_id) AS has_roles").
		Relation("Account").Where("login.token_hash = ?", hashToken(token)).Scan(ctx)
	if err != nil || l.Account == nil {
		if err == nil || errors.Is(store.NotFound(err), store.ErrNotFound) {
			return Account{}, Login{}, ErrTokenInvalid
		}
		return Account{}, Login{}, fmt.Errorf("authenticating a login: %w", err)
	}
	now := s.Clock.Now()
	if !now.Before(l.ExpiresAt) || !now.Before(l.LastSeenAt.Add(s.LoginIdle)) {
		if _, err := s.DB.NewDelete().Model((*Login)(nil)).Where("id = ?", l.ID).Exec(ctx); err != nil {
			return Account{}, Login{}, fmt.Errorf("ending an expired login: %w", err)
		}
		return Account{}, Login{}, ErrTokenInvalid
	}
	if now.Sub(l.LastSeenAt) >= touchEvery {
		l.LastSeenAt = now
		if _, err := s.DB.NewUpdate().Model(&l).Column("last_seen_at").WherePK().Exec(ctx); err != nil {
			return Account{}, Login{}, fmt.Errorf("touching a login: %w", err)
		}
	}
	a := *l.Account
	l.Account = nil
	return a, l, nil
}

// SignOut ends the login of token.
func (s *Service) SignOut(ctx context.Context, token string) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Login)(nil)).Where("token_hash = ?", hashToken(token)).Exec(ctx); err != nil {
			return fmt.Errorf("signing out: %w", err)
		}
		return store.LoginsChanged(ctx, tx)
	})
}

// EndAllLogins ends every login of an account.
func EndAllLogins(ctx context.Context, db bun.IDB, accountID int64) error {
	if _, err := db.NewDelete().Model((*Login)(nil)).Where("account_id = ?", accountID).Exec(ctx); err != nil {
		return fmt.Errorf("ending the logins of account %d: %w", accountID, err)
	}
	return store.LoginsChanged(ctx, db)
}

// ListLogins lists an account's open logins, most recently used first; logins past either
// limit are left out (Authenticate deletes them when they are next presented).
func (s *Service) ListLogins(ctx context.Context, accountID int64) ([]Login, error) {
	var out []Login
	now := s.Clock.Now()
	err := s.DB.NewSelect().Model(&out).
		Where("account_id = ? AND expires_at > ? AND last_seen_at > ?", accountID, now, now.Add(-s.LoginIdle)).
		OrderExpr("last_seen_at DESC, id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing logins: %w", err)
	}
	return out, nil
}

// EndLogin ends one of the account's own logins.
func (s *Service) EndLogin(ctx context.Context, accountID, loginID int64) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Login)(nil)).Where("id = ? AND account_id = ?", loginID, accountID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("ending login %d: %w", loginID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		return store.LoginsChanged(ctx, tx)
	})
}

// RequestPasswordReset mails a reset link; silent for unknown addresses.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	var es validate.Errors
	email = es.Email("email", email)
	if err := es.Err(); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := ByEmail(ctx, tx, email)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		token, err := s.issueToken(ctx, tx, a.ID, PurposeReset, resetValidity)
		if err != nil {
			return err
		}
		return s.Notifier.Notify(ctx, tx, a.Email, s.lang(a), "password_reset", map[string]any{
			"Name": a.Name, "Link": s.BaseURL + "/reset/" + token, "Minutes": int(resetValidity.Minutes())})
	})
}

// setPassword stores a new hash, ends every login and tells the owner.
func (s *Service) setPassword(ctx context.Context, tx bun.Tx, a *Account, hash string) error {
	now := s.Clock.Now()
	a.PasswordHash, a.PasswordChangedAt, a.UpdatedAt = hash, now, now
	if _, err := tx.NewUpdate().Model(a).Column("password_hash", "password_changed_at", "updated_at", "email_verified_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("changing the password: %w", err)
	}
	if err := EndAllLogins(ctx, tx, a.ID); err != nil {
		return err
	}
	// A reset link mailed before the change must not undo it.
	if _, err := tx.NewUpdate().Model((*accountToken)(nil)).Set("used_at = ?", now).
		Where("account_id = ? AND purpose = ? AND used_at IS NULL", a.ID, PurposeReset).Exec(ctx); err != nil {
		return fmt.Errorf("ending outstanding reset links: %w", err)
	}
	return s.Notifier.Notify(ctx, tx, a.Email, s.lang(*a), "password_changed", map[string]any{
		"Name": a.Name, "ResetLink": s.BaseURL + "/reset"})
}

// SetPassword sets a new password for the account of email, as its operator asks on the command
// line (a lost first admin's): the password rules apply, every login ends, the owner is told by
// mail, and the change is in the audit log.
func (s *Service) SetPassword(ctx context.Context, email, password string) (Account, error) {
	a, err := ByEmail(ctx, s.DB, email)
	if err != nil {
		return Account{}, err
	}
	hash, err := s.newPasswordHash(ctx, a, password, "", false)
	if err != nil {
		return Account{}, err
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := forgetFailures(ctx, tx, a.Email); err != nil {
			return err
		}
		if err := s.setPassword(ctx, tx, &a, hash); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.Clock.Now(), audit.Actor{}, "account.password_set", "account", fmt.Sprint(a.ID), nil)
	})
	return a, err
}

// newPasswordHash checks a new password for account a against the rules (and its confirmation,
// when the form asks for one) and hashes it.
func (s *Service) newPasswordHash(ctx context.Context, a Account, password, confirm string, withConfirm bool) (string, error) {
	var es validate.Errors
	checkNewPassword(&es, password, confirm, a.Email, a.Name, withConfirm)
	if err := es.Err(); err != nil {
		return "", err
	}
	return s.Hasher.Hash(ctx, password)
}

// ResetPassword sets a new password from a mailed link. Following the link proves the address,
// so it also verifies it. Every login of the account ends, and every other reset link of the
// account stops working.
func (s *Service) ResetPassword(ctx context.Context, token, password, confirm string) (Account, error) {
	// The link's account is read first so that the new password can be checked against its
	// address; the token is consumed, under lock, only in the transaction below.
	row, err := s.liveToken(ctx, s.DB, token, PurposeReset, false)
	if err != nil {
		return Account{}, err
	}
	a, err := ByID(ctx, s.DB, row.AccountID)
	if err != nil {
		return Account{}, err
	}
	hash, err := s.newPasswordHash(ctx, a, password, confirm, true)
	if err != nil {
		return Account{}, err
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if a, err = s.useToken(ctx, tx, token, PurposeReset); err != nil {
			return err
		}
		if a.EmailVerifiedAt == nil {
			now := s.Clock.Now()
			a.EmailVerifiedAt = &now
		}
		// The link proved the address is theirs: failed guesses by anyone no longer slow them.
		if err := forgetFailures(ctx, tx, a.Email); err != nil {
			return err
		}
		return s.setPassword(ctx, tx, &a, hash)
	})
	return a, err
}

// ChangePassword replaces the password after checking the current one, ends every login and
// every outstanding reset link, and returns a fresh login for the browser that asked. A wrong
// current password is a field error on current_password.
func (s *Service) ChangePassword(ctx context.Context, accountID int64, current, password, confirm, userAgent string) (string, error) {
	a, err := ByID(ctx, s.DB, accountID)
	if err != nil {
		return "", err
	}
	var es validate.Errors
	if current == "" {
		es.Add("current_password", validate.Required, nil)
	} else if ok, err := s.Hasher.Verify(ctx, a.PasswordHash, current); err != nil {
		return "", err
	} else if !ok {
		es.Add("current_password", CodeBadCredentials, nil)
	}
	checkNewPassword(&es, password, confirm, a.Email, a.Name, true)
	if err := es.Err(); err != nil {
		return "", err
	}
	hash, err := s.Hasher.Hash(ctx, password)
	if err != nil {
		return "", err
	}
	var token string
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := s.setPassword(ctx, tx, &a, hash); err != nil {
			return err
		}
		token, err = s.openLogin(ctx, tx, a.ID, userAgent)
		return err
	})
	return token, err
}

// ProfileInput is the profile form.
type ProfileInput struct {
	Name, Language, TimeZone string
}

// UpdateProfile changes name, interface language and time zone.
func (s *Service) UpdateProfile(ctx context.Context, accountID int64, in ProfileInput) error {
	name, zone := strings.TrimSpace(in.Name), strings.TrimSpace(in.TimeZone)
	var es validate.Errors
	es.Text("name", name, 200)
	checkLanguage(&es, in.Language, false)
	es.TimeZone("time_zone", zone, false)
	if err := es.Err(); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		before, err := ByID(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*Account)(nil)).
			Set("name = ?", name).Set("language = ?", in.Language).Set("time_zone = ?", zone).Set("updated_at = ?", s.Clock.Now()).
			Where("id = ?", accountID).Exec(ctx); err != nil {
			return fmt.Errorf("updating profile %d: %w", accountID, err)
		}
		// Content before logins, as every action grows them, so two cannot deadlock.
		if before.Name != name { // programmes name moderators and rapporteurs
			if err := store.ContentChanged(ctx, tx); err != nil {
				return err
			}
		}
		return store.LoginsChanged(ctx, tx) // logins carry the account
	})
}

// CreateInput creates an account directly (command line, first admin): verified at once.
type CreateInput struct {
	Email, Name, Password string
	Admin                 bool
	Language              string // the interface language; empty: the instance's default
}

// CreateAccount creates a verified account in db. A registered address is ErrEmailTaken.
func (s *Service) CreateAccount(ctx context.Context, db bun.IDB, in CreateInput) (Account, error) {
	var es validate.Errors
	email, name := es.Email("email", in.Email), strings.TrimSpace(in.Name)
	es.Text("name", name, 200)
	checkNewPassword(&es, in.Password, "", email, name, false)
	if in.Language == "" {
		in.Language = translated.Languages()[0]
	}
	checkLanguage(&es, in.Language, true)
	if err := es.Err(); err != nil {
		return Account{}, err
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return Account{}, err
	}
	now := s.Clock.Now()
	a := Account{Email: email, Name: name, PasswordHash: hash, IsAdmin: in.Admin, Language: in.Language, EmailVerifiedAt: &now,
		PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	if _, err := db.NewInsert().Model(&a).Exec(ctx); err != nil {
		if store.IsUniqueViolation(err) {
			return Account{}, ErrEmailTaken
		}
		return Account{}, fmt.Errorf("creating account %s: %w", email, err)
	}
	return a, nil
}

// FirstAdminEmail is the address of the admin that serve creates on a new database.
const FirstAdminEmail = "admin@convene.localhost"

func (s *Service) countAdmins(ctx context.Context) (int64, error) {
	n, err := s.DB.NewSelect().Model((*Account)(nil)).Where("is_admin").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("counting admins: %w", err)
	}
	return n, nil
}

// EnsureAdmin creates the first admin, with a generated password, when there is no admin.
// Instances starting together race on the unique email: the insert of the loser waits for the
// winner's and fails, and the loser then finds the winner's admin and reports created=false.
func (s *Service) EnsureAdmin(ctx context.Context) (created bool, email, password string, err error) {
	if n, err := s.countAdmins(ctx); err != nil || n > 0 {
		return false, "", "", err
	}
	password = GeneratePassword()
	_, err = s.CreateAccount(ctx, s.DB, CreateInput{Email: FirstAdminEmail, Name: "Admin", Password: password, Admin: true})
	if errors.Is(err, ErrEmailTaken) {
		n, err := s.countAdmins(ctx)
		if err == nil && n == 0 {
			// Someone holds the address as a plain member: say so rather than run with no admin.
			err = fmt.Errorf("no admin exists and %s belongs to a member: create an admin with convene user create --role admin", FirstAdminEmail)
		}
		return false, "", "", err
	}
	if err != nil {
		return false, "", "", err
	}
	return true, FirstAdminEmail, password, nil
}

// SetAdmin grants or removes admin rights, in the caller's transaction. Removing the last admin
// is ErrLastAdmin. The admins are locked first, so two admins cannot remove each other at the
// same moment.
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

// SetAdmin runs SetAdmin in a transaction.
func (s *Service) SetAdmin(ctx context.Context, actor audit.Actor, accountID int64, admin bool) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return SetAdmin(ctx, tx, s.Clock.Now(), actor, accountID, admin)
	})
}
