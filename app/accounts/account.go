// Package accounts holds people's accounts: sign-up with email verification, argon2id
// passwords, logins (our own table: random tokens, only their hash stored, idle and absolute
// expiry), password reset, profile, API tokens, and each person's export and erasure of their
// data.
package accounts

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
)

// Errors of the accounts capability.
var (
	ErrBadCredentials = errors.New("wrong email or password")
	ErrNotVerified    = errors.New("email address not verified")
	ErrTokenInvalid   = errors.New("token unknown, used or expired")
	ErrLastAdmin      = errors.New("the last admin cannot be removed")
	ErrEmailTaken     = errors.New("email address already registered")
)

// refusal joins a sentinel error to the field error that shows it on a form: callers test
// errors.Is(err, sentinel), pages and the API name the field (validate.As).
func refusal(sentinel error, es validate.Errors) error {
	return fmt.Errorf("%w: %w", sentinel, es)
}

// Message codes of the accounts rules (frontend/locales/*/accounts.toml).
const (
	CodeEmailInvalid     = "error.email_invalid"
	CodePasswordShort    = "error.password_short"
	CodePasswordLong     = "error.password_long"
	CodePasswordMismatch = "error.password_mismatch"
	CodePasswordIsEmail  = "error.password_is_email"
	CodeBadCredentials   = "error.bad_credentials"
	CodeNotVerified      = "error.not_verified"
	CodeTokenInvalid     = "error.token_invalid"
	CodeLastAdmin        = "error.last_admin"
	CodeTimeZone         = "error.time_zone"
	CodeLanguage         = "error.language"
)

// Password length limits (characters).
const (
	MinPassword = 10
	MaxPassword = 128
)

// Languages are the interface languages an account may choose.
func Languages() []string { return []string{"es", "en"} }

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
	CreatedAt         time.Time  `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at,notnull" json:"updated_at"`
}

// NormalizeEmail is how addresses are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkEmail(es *validate.Errors, field, email string) {
	switch {
	case email == "":
		es.Add(field, validate.Required, nil)
	case len(email) > 254:
		es.Add(field, validate.TooLong, map[string]any{"Max": 254})
	default:
		a, err := netmail.ParseAddress(email)
		if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@')+1:], ".") {
			es.Add(field, CodeEmailInvalid, nil)
		}
	}
}

func checkNewPassword(es *validate.Errors, password, confirm, email string, withConfirm bool) {
	n := len([]rune(password))
	switch {
	case password == "":
		es.Add("password", validate.Required, nil)
	case n < MinPassword:
		es.Add("password", CodePasswordShort, map[string]any{"Min": MinPassword})
	case n > MaxPassword:
		es.Add("password", CodePasswordLong, map[string]any{"Max": MaxPassword})
	case email != "" && strings.EqualFold(strings.TrimSpace(password), email):
		es.Add("password", CodePasswordIsEmail, nil)
	}
	if withConfirm && !es.Has("password") && confirm != password {
		es.Add("password_confirm", CodePasswordMismatch, nil)
	}
}

func checkLanguage(es *validate.Errors, lang string, required bool) {
	if lang == "" && !required {
		return
	}
	for _, l := range Languages() {
		if l == lang {
			return
		}
	}
	es.Add("language", CodeLanguage, nil)
}

func checkTimeZone(es *validate.Errors, zone string) {
	if zone == "" {
		return
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "Local" {
		es.Add("time_zone", CodeTimeZone, nil)
	}
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

// List returns accounts whose name or email contains query (any case), by name.
func List(ctx context.Context, db bun.IDB, query string, limit, offset int64) ([]Account, int64, error) {
	var out []Account
	q := db.NewSelect().Model(&out).OrderExpr("name, id").Limit(limit).Offset(offset)
	if query = strings.TrimSpace(query); query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(query)) + "%"
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\'`, like, like)
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("listing accounts: %w", err)
	}
	return out, int64(n), nil
}
