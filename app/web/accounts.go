package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/validate"
)

func (s *Server) signUpForm(c *fiber.Ctx) error {
	if account(c) != nil {
		return c.Redirect("/profile/", fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "accounts/signup", "signup.title", &Page{Form: map[string]string{"language": lang(c)}})
}

func (s *Server) signUp(c *fiber.Ctx) error {
	f := form(c, "name", "email", "password", "password_confirm", "language")
	err := s.Accounts.SignUp(c.UserContext(), accounts.SignUpInput{
		Email: f["email"], Name: f["name"], Password: f["password"], PasswordConfirm: f["password_confirm"], Language: f["language"],
	})
	if err != nil {
		return s.formError(c, err, "accounts/signup", "signup.title", f, nil)
	}
	// The same answer whether or not the address was known: no account enumeration.
	return s.page(c, fiber.StatusOK, "accounts/check_email", "signup.check_title", &Page{Data: map[string]any{"Email": f["email"]}})
}

func (s *Server) verifyEmail(c *fiber.Ctx) error {
	_, err := s.Accounts.VerifyEmail(c.UserContext(), strings.Clone(c.Params("token")))
	if errors.Is(err, accounts.ErrTokenInvalid) {
		return s.page(c, fiber.StatusBadRequest, "accounts/resend", "verify.invalid_title", &Page{Data: map[string]any{"Invalid": true}})
	}
	if err != nil {
		return err
	}
	return s.flash(c, "verify.done", "/signin")
}

func (s *Server) resendForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "accounts/resend", "verify.resend_title", nil)
}

func (s *Server) resendVerification(c *fiber.Ctx) error {
	f := form(c, "email")
	if strings.TrimSpace(f["email"]) == "" {
		return s.formError(c, validate.Errors{{Field: "email", Code: validate.Required}}, "accounts/resend", "verify.resend_title", f, nil)
	}
	if err := s.Accounts.ResendVerification(c.UserContext(), f["email"]); err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "accounts/check_email", "signup.check_title", &Page{Data: map[string]any{"Email": f["email"]}})
}

func (s *Server) signInForm(c *fiber.Ctx) error {
	next := safeNext(c.Query("next"))
	if account(c) != nil {
		return c.Redirect(next, fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "accounts/signin", "signin.title", &Page{Form: map[string]string{"next": next}})
}

func (s *Server) signIn(c *fiber.Ctx) error {
	f := form(c, "email", "password", "next")
	var es validate.Errors
	if strings.TrimSpace(f["email"]) == "" {
		es.Add("email", validate.Required, nil)
	}
	if f["password"] == "" {
		es.Add("password", validate.Required, nil)
	}
	if len(es) > 0 {
		return s.formError(c, es, "accounts/signin", "signin.title", f, nil)
	}
	previous := strings.Clone(c.Cookies(s.cookieName("convene_login")))
	token, a, err := s.Accounts.SignIn(c.UserContext(), f["email"], f["password"], strings.Clone(c.Get(fiber.HeaderUserAgent)), previous)
	switch {
	case errors.Is(err, accounts.ErrBadCredentials):
		// 401 and no hint of which part was wrong.
		return s.page(c, fiber.StatusUnauthorized, "accounts/signin", "signin.title",
			&Page{Errors: validate.Errors{{Field: "email", Code: "error.bad_credentials"}}, Form: f})
	case errors.Is(err, accounts.ErrNotVerified):
		return s.page(c, fiber.StatusForbidden, "accounts/signin", "signin.title",
			&Page{Errors: validate.Errors{{Field: "email", Code: "error.not_verified"}}, Form: f, Data: map[string]any{"Unverified": true}})
	case err != nil:
		return err
	}
	s.setCookie(c, "convene_login", token, s.Clock.Now().Add(s.Config.LoginAbsolute))
	// A new login gets a new CSRF token: one planted before sign-in is worthless after it.
	if h, ok := c.Locals(csrf.ConfigDefault.HandlerContextKey).(*csrf.CSRFHandler); ok {
		if err := h.DeleteToken(c); err != nil {
			return err
		}
	}
	if a.Language != "" {
		c.Cookie(&fiber.Cookie{Name: "convene_lang", Value: a.Language, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
	}
	return c.Redirect(safeNext(f["next"]), fiber.StatusSeeOther)
}

func (s *Server) signOut(c *fiber.Ctx) error {
	if token := c.Cookies(s.cookieName("convene_login")); token != "" {
		if err := s.Accounts.SignOut(c.UserContext(), strings.Clone(token)); err != nil {
			return err
		}
	}
	s.clearCookie(c, "convene_login")
	return s.flash(c, "signout.done", "/")
}

func (s *Server) resetRequestForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "accounts/reset_request", "reset.title", nil)
}

func (s *Server) resetRequest(c *fiber.Ctx) error {
	f := form(c, "email")
	if strings.TrimSpace(f["email"]) == "" {
		return s.formError(c, validate.Errors{{Field: "email", Code: validate.Required}}, "accounts/reset_request", "reset.title", f, nil)
	}
	if err := s.Accounts.RequestPasswordReset(c.UserContext(), f["email"]); err != nil {
		return s.formError(c, err, "accounts/reset_request", "reset.title", f, nil)
	}
	return s.page(c, fiber.StatusOK, "accounts/check_email", "reset.check_title", &Page{Data: map[string]any{"Email": f["email"], "Reset": true}})
}

func (s *Server) resetForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "accounts/reset", "reset.new_title", &Page{Data: map[string]any{"Token": strings.Clone(c.Params("token"))}})
}

func (s *Server) reset(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	f := form(c, "password", "password_confirm")
	_, err := s.Accounts.ResetPassword(c.UserContext(), token, f["password"], f["password_confirm"])
	if errors.Is(err, accounts.ErrTokenInvalid) {
		return s.page(c, fiber.StatusBadRequest, "accounts/reset_request", "reset.title", &Page{Data: map[string]any{"Invalid": true}})
	}
	if err != nil {
		return s.formError(c, err, "accounts/reset", "reset.new_title", f, map[string]any{"Token": token})
	}
	s.clearCookie(c, "convene_login")
	return s.flash(c, "reset.done", "/signin")
}

// profileData is what the profile page shows besides the form.
func (s *Server) profileData(c *fiber.Ctx, newToken string) (map[string]any, error) {
	a := account(c)
	ctx := c.UserContext()
	tokens, err := s.Accounts.ListAPITokens(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	logins, err := s.Accounts.ListLogins(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	roles, err := access.ForAccount(ctx, s.DB, a.ID)
	if err != nil {
		return nil, err
	}
	current, _ := c.Locals(localLogin).(accounts.Login)
	zone := a.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	return map[string]any{
		"Tokens": tokens, "Logins": logins, "CurrentLogin": current.ID, "NewToken": newToken, "Roles": roles,
		"Languages": locale.Supported(), "Zone": zone,
	}, nil
}

func (s *Server) profileForm(a *accounts.Account) map[string]string {
	return map[string]string{"name": a.Name, "email": a.Email, "language": a.Language, "time_zone": a.TimeZone}
}

func (s *Server) profile(c *fiber.Ctx) error {
	data, err := s.profileData(c, "")
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "accounts/profile", "profile.title", &Page{Form: s.profileForm(account(c)), Data: data})
}

// profileError re-renders the profile page with the errors of one of its forms.
func (s *Server) profileError(c *fiber.Ctx, err error, f map[string]string) error {
	data, derr := s.profileData(c, "")
	if derr != nil {
		return derr
	}
	form := s.profileForm(account(c))
	for k, v := range f {
		form[k] = v
	}
	return s.formError(c, err, "accounts/profile", "profile.title", form, data)
}

func (s *Server) updateProfile(c *fiber.Ctx) error {
	f := form(c, "name", "language", "time_zone")
	err := s.Accounts.UpdateProfile(c.UserContext(), account(c).ID, accounts.ProfileInput{Name: f["name"], Language: f["language"], TimeZone: f["time_zone"]})
	if err != nil {
		return s.profileError(c, err, f)
	}
	if f["language"] != "" {
		c.Cookie(&fiber.Cookie{Name: "convene_lang", Value: f["language"], Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
	}
	return s.flash(c, "profile.saved", "/profile/")
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	f := form(c, "current_password", "password", "password_confirm")
	token, err := s.Accounts.ChangePassword(c.UserContext(), account(c).ID, f["current_password"], f["password"], f["password_confirm"],
		strings.Clone(c.Get(fiber.HeaderUserAgent)))
	if err != nil {
		return s.profileError(c, err, nil)
	}
	s.setCookie(c, "convene_login", token, s.Clock.Now().Add(s.Config.LoginAbsolute))
	return s.flash(c, "profile.password_changed", "/profile/")
}

func (s *Server) exportData(c *fiber.Ctx) error {
	data, err := s.Accounts.Export(c.UserContext(), account(c).ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="convene-my-data.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

func (s *Server) deleteAccount(c *fiber.Ctx) error {
	f := form(c, "delete_password")
	err := s.Accounts.Delete(c.UserContext(), account(c).ID, f["delete_password"])
	if errors.Is(err, accounts.ErrLastAdmin) {
		err = validate.Errors{{Field: "delete_password", Code: "error.last_admin"}}
	}
	if err != nil {
		return s.profileError(c, err, nil)
	}
	s.clearCookie(c, "convene_login")
	return s.flash(c, "profile.deleted", "/")
}

func (s *Server) createToken(c *fiber.Ctx) error {
	f := form(c, "token_name")
	token, _, err := s.Accounts.CreateAPIToken(c.UserContext(), s.DB, account(c).ID, f["token_name"])
	if err != nil {
		return s.profileError(c, err, f)
	}
	data, err := s.profileData(c, token)
	if err != nil {
		return err
	}
	// Shown once, on this response only; never stored in plain text.
	c.Set(fiber.HeaderCacheControl, "no-store")
	return s.page(c, fiber.StatusCreated, "accounts/profile", "profile.title", &Page{Form: s.profileForm(account(c)), Data: data})
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Accounts.RevokeAPIToken(c.UserContext(), account(c).ID, id); err != nil {
		return err
	}
	return s.flash(c, "profile.token_revoked", "/profile/")
}

func (s *Server) endLogin(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := s.Accounts.EndLogin(c.UserContext(), account(c).ID, id); err != nil {
		return err
	}
	return s.flash(c, "profile.login_ended", "/profile/")
}

// switchLanguage is the language switch: a plain link, so it works without JavaScript.
func (s *Server) switchLanguage(c *fiber.Ctx) error {
	l := c.Params("lang")
	if !locale.IsSupported(l) {
		return errNotFound
	}
	c.Cookie(&fiber.Cookie{Name: "convene_lang", Value: l, Path: "/", Expires: s.Clock.Now().Add(365 * 24 * time.Hour),
		Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
	if a := account(c); a != nil && a.Language != l {
		if err := s.Accounts.UpdateProfile(c.UserContext(), a.ID, accounts.ProfileInput{Name: a.Name, Language: l, TimeZone: a.TimeZone}); err != nil {
			return err
		}
	}
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}
