package web

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

func (s *Server) signUpForm(c *fiber.Ctx) error {
	if account(c) != nil {
		return c.Redirect("/profile/", fiber.StatusSeeOther)
	}
	return s.page(c, fiber.StatusOK, "accounts/signup", "signup.title", &Page{Form: map[string]string{"language": lang(c), "next": safeNext(c.Query("next"))},
		Data: map[string]any{"PrivacyVersion": privacy.Version}})
}

func (s *Server) signUp(c *fiber.Ctx) error {
	f := form.Values(c, "name", "email", "password", "password_confirm", "language", "privacy", "next")
	f["next"] = safeNext(f["next"])
	err := s.Accounts.SignUp(c.UserContext(), accounts.SignUpInput{
		Email: f["email"], Name: f["name"], Password: f["password"], PasswordConfirm: f["password_confirm"], Language: f["language"],
		AcceptPrivacy: f["privacy"] == privacy.Version, Next: f["next"],
	})
	if err != nil {
		return s.formError(c, err, "accounts/signup", "signup.title", f, map[string]any{"PrivacyVersion": privacy.Version})
	}
	// The same answer whether or not the address was known: no account enumeration.
	return s.page(c, fiber.StatusOK, "accounts/check_email", "signup.check_title", &Page{Data: map[string]any{"Email": f["email"]}})
}

// privacyNotice is the privacy notice (aviso de privacidad), in the viewer's language, with its
// version.
func (s *Server) privacyNotice(c *fiber.Ctx) error {
	list, err := processes.List(c.UserContext(), s.DB, processes.ListFilter{PublicOnly: true})
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "pages/privacy", "privacy.title", &Page{Description: s.Locale.T(lang(c), "privacy.summary", nil),
		Data: map[string]any{"Version": privacy.Version, "Processes": list}})
}

// verifyForm is the page a confirmation link opens: it asks for a button press, because mail
// scanners follow links (GET) and must not confirm an address on their own.
func (s *Server) verifyForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	if err := s.Accounts.CheckToken(c.UserContext(), token, accounts.PurposeVerify); err != nil {
		return s.invalidLink(c, err, "accounts/resend", "verify.invalid_title")
	}
	return s.page(c, fiber.StatusOK, "accounts/verify", "verify.title", &Page{Form: map[string]string{"next": safeNext(c.Query("next"))},
		Data: map[string]any{"Token": token}})
}

// verifyEmail confirms the address and signs its owner in, then takes them where they were
// going when they signed up (a forum's registration form), or home.
func (s *Server) verifyEmail(c *fiber.Ctx) error {
	f := form.Values(c, "next")
	previous := strings.Clone(c.Cookies(s.cookieName("convene_login")))
	token, a, err := s.Accounts.VerifyAndSignIn(c.UserContext(), strings.Clone(c.Params("token")), strings.Clone(c.Get(fiber.HeaderUserAgent)), previous)
	if err != nil {
		return s.invalidLink(c, err, "accounts/resend", "verify.invalid_title")
	}
	s.setCookie(c, "convene_login", token, s.Clock.Now().Add(s.Config.LoginAbsolute))
	s.rememberDevice(c, a)
	if a.Language != "" {
		s.setLanguageCookie(c, a.Language)
	}
	return s.flash(c, "verify.done", safeNext(f["next"]))
}

// invalidLink shows, for a used or expired link, the page that asks for a new one; other
// errors pass on.
func (s *Server) invalidLink(c *fiber.Ctx, err error, name, titleID string) error {
	if !errors.Is(err, accounts.ErrTokenInvalid) {
		return err
	}
	return s.page(c, classify(err).status, name, titleID, &Page{Data: map[string]any{"Invalid": true}})
}

func (s *Server) resendForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "accounts/resend", "verify.resend_title", nil)
}

func (s *Server) resendVerification(c *fiber.Ctx) error {
	f := form.Values(c, "email")
	if strings.TrimSpace(f["email"]) == "" {
		return s.formError(c, validate.Errors{{Field: "email", Code: validate.Required}}, "accounts/resend", "verify.resend_title", f, nil)
	}
	if err := s.Accounts.ResendVerification(c.UserContext(), f["email"]); err != nil {
		return s.formError(c, err, "accounts/resend", "verify.resend_title", f, nil)
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
	f := form.Values(c, "email", "password", "next")
	previous := strings.Clone(c.Cookies(s.cookieName("convene_login")))
	token, a, err := s.Accounts.SignIn(c.UserContext(), f["email"], f["password"], strings.Clone(c.Get(fiber.HeaderUserAgent)),
		previous, func(a accounts.Account) bool { return s.trustedDevice(c, a) })
	if err != nil {
		// Wrong email or password alike: one message on the email field, no hint of which.
		return s.formError(c, err, "accounts/signin", "signin.title", f, map[string]any{"Unverified": errors.Is(err, accounts.ErrNotVerified)})
	}
	s.setCookie(c, "convene_login", token, s.Clock.Now().Add(s.Config.LoginAbsolute))
	s.rememberDevice(c, a)
	if a.Language != "" {
		s.setLanguageCookie(c, a.Language)
	}
	return s.flash(c, "signin.done", safeNext(f["next"]))
}

func (s *Server) signOut(c *fiber.Ctx) error {
	if token := c.Cookies(s.cookieName("convene_login")); token != "" {
		if err := s.Accounts.SignOut(c.UserContext(), strings.Clone(token)); err != nil {
			return err
		}
	}
	s.clearCookie(c, "convene_login")
	s.clearNewToken(c)
	return s.flash(c, "signout.done", "/")
}

func (s *Server) resetRequestForm(c *fiber.Ctx) error {
	return s.page(c, fiber.StatusOK, "accounts/reset_request", "reset.title", nil)
}

func (s *Server) resetRequest(c *fiber.Ctx) error {
	f := form.Values(c, "email")
	if strings.TrimSpace(f["email"]) == "" {
		return s.formError(c, validate.Errors{{Field: "email", Code: validate.Required}}, "accounts/reset_request", "reset.title", f, nil)
	}
	if err := s.Accounts.RequestPasswordReset(c.UserContext(), f["email"]); err != nil {
		return s.formError(c, err, "accounts/reset_request", "reset.title", f, nil)
	}
	return s.page(c, fiber.StatusOK, "accounts/check_email", "reset.check_title", &Page{Data: map[string]any{"Email": f["email"], "Reset": true}})
}

// resetForm says at once when a reset link no longer works, before asking for a password.
func (s *Server) resetForm(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	if err := s.Accounts.CheckToken(c.UserContext(), token, accounts.PurposeReset); err != nil {
		return s.invalidLink(c, err, "accounts/reset_request", "reset.title")
	}
	return s.page(c, fiber.StatusOK, "accounts/reset", "reset.new_title", &Page{Data: map[string]any{"Token": token}})
}

func (s *Server) reset(c *fiber.Ctx) error {
	token := strings.Clone(c.Params("token"))
	f := form.Values(c, "password", "password_confirm")
	a, err := s.Accounts.ResetPassword(c.UserContext(), token, f["password"], f["password_confirm"])
	if errors.Is(err, accounts.ErrTokenInvalid) {
		return s.invalidLink(c, err, "accounts/reset_request", "reset.title")
	}
	if err != nil {
		return s.formError(c, err, "accounts/reset", "reset.new_title", f, map[string]any{"Token": token})
	}
	s.clearCookie(c, "convene_login")
	// The link proved the address: this browser is the owner's, and throttling spares it.
	s.rememberDevice(c, a)
	return s.flash(c, "reset.done", "/signin")
}

// switchLanguage is the language switch: a plain link, so it works without JavaScript. Being a
// GET, it changes the cookie only; the account's language is set on the profile.
func (s *Server) switchLanguage(c *fiber.Ctx) error {
	l := c.Params("lang")
	if !locale.IsSupported(l) {
		return errNotFound
	}
	s.setLanguageCookie(c, strings.Clone(l))
	return c.Redirect(safeNext(c.Query("next")), fiber.StatusSeeOther)
}

// setLanguage is the language switch of a signed-in person: a form, since it changes the
// account's setting (which comes before the cookie).
func (s *Server) setLanguage(c *fiber.Ctx) error {
	f := form.Values(c, "language", "next")
	if !locale.IsSupported(f["language"]) {
		return validate.Errors{{Field: "language", Code: accounts.CodeLanguage}}
	}
	if a := account(c); a != nil && a.Language != f["language"] {
		if err := s.Accounts.UpdateProfile(c.UserContext(), a.ID, accounts.ProfileInput{Name: a.Name, Language: f["language"], TimeZone: a.TimeZone}); err != nil {
			return err
		}
	}
	s.setLanguageCookie(c, f["language"])
	return c.Redirect(safeNext(f["next"]), fiber.StatusSeeOther)
}

func (s *Server) setLanguageCookie(c *fiber.Ctx, l string) {
	c.Cookie(&fiber.Cookie{Name: "convene_lang", Value: l, Path: "/", Expires: s.Clock.Now().Add(365 * 24 * time.Hour),
		Secure: s.Config.Secure(), SameSite: fiber.CookieSameSiteLaxMode})
}
