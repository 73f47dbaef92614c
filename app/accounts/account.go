// Package accounts holds people's accounts: sign-up with email verification, argon2id
// passwords, logins (our own table: random tokens, only their hash stored, idle and absolute
// expiry), password reset, profile, API tokens, and each person's export and erasure of their
// data.
package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/uptrace/bun"

	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
)

// Refusals of the accounts capability (app/web/errors.go gives each its status).
var (
	ErrBadCredentials = problem.New(problem.Unauthorized, CodeBadCredentials).At("email")
	ErrNotVerified    = problem.New(problem.Forbidden, CodeNotVerified).At("email")
	ErrTokenInvalid   = problem.New(problem.Gone, CodeTokenInvalid)
	ErrLastAdmin      = problem.New(problem.Conflict, CodeLastAdmin)
	ErrEmailTaken     = problem.New(problem.Invalid, validate.Taken).At("email")
)

// Message codes of the accounts rules (frontend/locales/*/accounts.toml).
const (
	CodeEmailInvalid     = validate.EmailCode
	CodePasswordShort    = "error.password_short"
	CodePasswordLong     = "error.password_long"
	CodePasswordMismatch = "error.password_mismatch"
	CodePasswordIsEmail  = "error.password_is_email"
	CodePasswordWeak     = "error.password_weak"
	CodeBadCredentials   = "error.bad_credentials"
	CodeNotVerified      = "error.not_verified"
	CodeTokenInvalid     = "error.token_invalid"
	CodeLastAdmin        = "error.last_admin"
	CodeLanguage         = "error.language"
	CodePrivacy          = "error.privacy_required"
)

// Password rules: length in characters, and the least zxcvbn score (0 to 4) a new password
// needs. 3 means "safely unguessable: moderate protection from an offline attack"; "password12",
// "aaaaaaaaaaaa" and keyboard walks score lower.
const (
	MinPassword      = 12
	MaxPassword      = 128
	MinPasswordScore = 3
)

// Account is a person's account.
type Account struct {
	bun.BaseModel `bun:"table:accounts"`

	ID                int64      `bun:"id,pk,autoincrement" json:"id"`
	Email             string     `bun:"email,notnull" json:"email"`
	Name              string     `bun:"name,notnull" json:"name"`
	PasswordHash      string     `bun:"password_hash,notnull" json:"-"`
	IsAdmin           bool       `bun:"is_admin,notnull" json:"is_admin"`
	Language          string     `bun:"language,notnull" json:"language"`
	TimeZone          string     `bun:"time_zone,notnull" json:"time_zone"`
	EmailVerifiedAt   *time.Time `bun:"email_verified_at" json:"email_verified_at"`
	PasswordChangedAt time.Time  `bun:"password_changed_at,notnull" json:"password_changed_at"`
	// The privacy notice the person accepted, and when (empty for accounts made by an admin or
	// on the command line, whose holders have not seen the sign-up form).
	PrivacyVersion    string     `bun:"privacy_version,notnull" json:"privacy_version"`
	PrivacyAcceptedAt *time.Time `bun:"privacy_accepted_at" json:"privacy_accepted_at"`
	CreatedAt         time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull" json:"updated_at"`
}

// NormalizeEmail is how addresses are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// checkNewPassword applies the password rules; the person's email and name count as words an
// attacker would try first.
func checkNewPassword(es *validate.Errors, password, confirm, email, name string, withConfirm bool) {
	n := utf8.RuneCountInString(password)
	switch {
	case password == "":
		es.Add("password", validate.Required, nil)
	case !validate.Printable(password, false):
		es.Add("password", validate.Control, nil)
	case n < MinPassword:
		es.Add("password", CodePasswordShort, map[string]any{"Min": MinPassword})
	case n > MaxPassword:
		es.Add("password", CodePasswordLong, map[string]any{"Max": MaxPassword})
	case email != "" && strings.EqualFold(strings.TrimSpace(password), email):
		es.Add("password", CodePasswordIsEmail, nil)
	case zxcvbn.PasswordStrength(password, userWords(email, name)).Score < MinPasswordScore:
		es.Add("password", CodePasswordWeak, nil)
	}
	if withConfirm && !es.Has("password") && confirm != password {
		es.Add("password_confirm", CodePasswordMismatch, nil)
	}
}

// userWords are the parts of a person's email and name, which zxcvbn penalises in a password.
func userWords(email, name string) []string {
	words := strings.FieldsFunc(strings.ToLower(email+" "+name), func(r rune) bool {
		return r == '@' || r == '.' || r == ' ' || r == '-' || r == '_' || r == '+'
	})
	return append(words, strings.ToLower(email), "convene")
}

func checkLanguage(es *validate.Errors, lang string, required bool) {
	if (lang == "" && !required) || translated.IsLanguage(lang) {
		return
	}
	es.Add("language", CodeLanguage, nil)
}

// ByID returns the account id.
func ByID(ctx context.Context, db bun.IDB, id int64) (Account, error) {
	var a Account
	if err := db.NewSelect().Model(&a).Where("id = ?", id).Scan(ctx); err != nil {
		return a, fmt.Errorf("account %d: %w", id, store.NotFound(err))
	}
	return a, nil
}

// ByEmail returns the account with this address (compared normalised).
func ByEmail(ctx context.Context, db bun.IDB, email string) (Account, error) {
	var a Account
	if err := db.NewSelect().Model(&a).Where("email = ?", NormalizeEmail(email)).Scan(ctx); err != nil {
		return a, fmt.Errorf("account %s: %w", NormalizeEmail(email), store.NotFound(err))
	}
	return a, nil
}

// NamesByID returns the names of the accounts ids (those that still exist).
func NamesByID(ctx context.Context, db bun.IDB, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Account
	if err := db.NewSelect().Model(&rows).Column("id", "name").Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("naming accounts: %w", err)
	}
	for _, a := range rows {
		out[a.ID] = a.Name
	}
	return out, nil
}

// List returns accounts whose name or email contains query (any case), by name.
func List(ctx context.Context, db bun.IDB, query string, limit, offset int64) ([]Account, int64, error) {
	var out []Account
	q := db.NewSelect().Model(&out).OrderExpr("name, id").Limit(limit).Offset(offset)
	if query = strings.TrimSpace(query); query != "" {
		like := store.LikePattern(query)
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\'`, like, like)
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing accounts: %w", err)
	}
	return out, int64(n), nil
}
