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
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/tokens"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Service checks each account action's input, hashes passwords before the transaction opens
// (no transaction waits on argon2), and runs the action (actions.go) in one transaction.
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

func (s *Service) post() Post { return Post{Notifier: s.Notifier, BaseURL: s.BaseURL} }

// inTx runs action in a transaction of its own.
func (s *Service) inTx(ctx context.Context, action func(ctx context.Context, tx bun.Tx, now time.Time) error) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return action(ctx, tx, s.Clock.Now())
	})
}

// SignUpInput is the sign-up form. AcceptPrivacy is the box that says the person read the
// current privacy notice.
type SignUpInput struct {
	Email, Name, Password, PasswordConfirm, Language string
	AcceptPrivacy                                    bool
	// Next is where the confirmation link leads once the address is confirmed: a path on this
	// site (the form the person was filling in), made safe by the caller; "" for none.
	Next string
}

// check applies the sign-up rules and returns the input in its stored form.
func (in SignUpInput) check() (SignUpInput, error) {
	var es validate.Errors
	in.Email = es.Email("email", in.Email)
	in.Name = strings.TrimSpace(in.Name)
	es.Text("name", in.Name, 200)
	checkNewPassword(&es, in.Password, in.PasswordConfirm, in.Email, in.Name, true)
	checkLanguage(&es, in.Language, true)
	if !in.AcceptPrivacy {
		es.Add("privacy", CodePrivacy, nil)
	}
	return in, es.Err()
}

// SignUp creates an unverified account and mails a confirmation link (see the SignUp action).
func (s *Service) SignUp(ctx context.Context, in SignUpInput) error {
	in, err := in.check()
	if err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return SignUp(ctx, tx, now, s.post(), in, hash)
	})
}

// CheckToken tells whether a mailed link still works (ErrTokenInvalid when not), so its page
// can say so before asking for anything.
func (s *Service) CheckToken(ctx context.Context, token, purpose string) error {
	_, err := liveToken(ctx, s.DB, s.Clock.Now(), token, purpose, false)
	return err
}

// VerifyEmail confirms the address the token was mailed to.
func (s *Service) VerifyEmail(ctx context.Context, token string) (Account, error) {
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Account, error) {
		return VerifyEmail(ctx, tx, s.Clock.Now(), token)
	})
}

// VerifyAndSignIn confirms the address of a link and signs its owner in, in one transaction:
// the link proved they hold the mailbox, and they are on their way back to what they were doing.
func (s *Service) VerifyAndSignIn(ctx context.Context, token, userAgent, previousLogin string) (string, Account, error) {
	var a Account
	login, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (string, error) {
		now := s.Clock.Now()
		var err error
		if a, err = VerifyEmail(ctx, tx, now, token); err != nil {
			return "", err
		}
		return SignIn(ctx, tx, now, s.LoginAbsolute, a, a.Email, userAgent, previousLogin)
	})
	return login, a, err
}

// checkedEmail is an address from a form, in its stored form, or the field's error.
func checkedEmail(email string) (string, error) {
	var es validate.Errors
	email = es.Email("email", email)
	return email, es.Err()
}

// ResendVerification mails a new confirmation link; silent for unknown or verified addresses.
func (s *Service) ResendVerification(ctx context.Context, email string) error {
	email, err := checkedEmail(email)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return ResendVerification(ctx, tx, now, s.post(), email)
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
		// Counted in a transaction of its own: the attempt counts whatever its password.
		wait, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (time.Duration, error) {
			return countAttempt(ctx, tx, s.Clock.Now(), email)
		})
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
	token, err := store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (string, error) {
		return SignIn(ctx, tx, s.Clock.Now(), s.LoginAbsolute, a, email, userAgent, previousLogin)
	})
	return token, a, err
}

// Authenticate returns the account of a login token, enforcing the idle and absolute limits.
// It is one query; it writes only when the login was last marked seen over a minute ago (or has
// expired and is removed).
func (s *Service) Authenticate(ctx context.Context, token string) (Account, Login, error) {
	var l Login
	err := s.DB.NewSelect().Model(&l).ColumnExpr("login.*").
		ColumnExpr("EXISTS (SELECT 1 FROM grants AS g WHERE g.account_id = login.account_id) AS has_roles").
		Relation("Account").Where("login.token_hash = ?", tokens.Hash(token)).Scan(ctx)
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
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, _ time.Time) error {
		return SignOut(ctx, tx, token)
	})
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
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, _ time.Time) error {
		return EndLogin(ctx, tx, accountID, loginID)
	})
}

// RequestPasswordReset mails a reset link; silent for unknown addresses.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	email, err := checkedEmail(email)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return RequestPasswordReset(ctx, tx, now, s.post(), email)
	})
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
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return SetPassword(ctx, tx, now, s.post(), &a, hash)
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
	row, err := liveToken(ctx, s.DB, s.Clock.Now(), token, PurposeReset, false)
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
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (Account, error) {
		return ResetPassword(ctx, tx, s.Clock.Now(), s.post(), token, hash)
	})
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
	return store.InTx(ctx, s.DB, func(ctx context.Context, tx bun.Tx) (string, error) {
		return ChangePassword(ctx, tx, s.Clock.Now(), s.post(), s.LoginAbsolute, a, hash, userAgent)
	})
}

// ProfileInput is the profile form.
type ProfileInput struct {
	Name, Language, TimeZone string
}

// UpdateProfile changes name, interface language and time zone.
func (s *Service) UpdateProfile(ctx context.Context, accountID int64, in ProfileInput) error {
	in.Name, in.TimeZone = strings.TrimSpace(in.Name), strings.TrimSpace(in.TimeZone)
	var es validate.Errors
	es.Text("name", in.Name, 200)
	checkLanguage(&es, in.Language, false)
	es.TimeZone("time_zone", in.TimeZone, false)
	if err := es.Err(); err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return UpdateProfile(ctx, tx, now, accountID, in)
	})
}

// CreateInput creates an account directly (command line, first admin): verified at once.
type CreateInput struct {
	Email, Name, Password string
	Admin                 bool
	Language              string // the interface language; empty: the instance's default
}

// CreateAccount checks in, hashes its password and creates a verified account in db: the
// caller's transaction when a seed step or command composes it with more, else s.DB. A
// registered address is ErrEmailTaken.
func (s *Service) CreateAccount(ctx context.Context, db bun.IDB, in CreateInput) (Account, error) {
	var es validate.Errors
	in.Email, in.Name = es.Email("email", in.Email), strings.TrimSpace(in.Name)
	es.Text("name", in.Name, 200)
	checkNewPassword(&es, in.Password, "", in.Email, in.Name, false)
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
	return CreateAccount(ctx, db, s.Clock.Now(), in, hash)
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

// SetAdmin grants or removes admin rights (see the SetAdmin action).
func (s *Service) SetAdmin(ctx context.Context, actor audit.Actor, accountID int64, admin bool) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx, now time.Time) error {
		return SetAdmin(ctx, tx, now, actor, accountID, admin)
	})
}
