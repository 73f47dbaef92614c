package web

import (
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/web/form"
)

// profileData is what the profile page shows besides the form.
func (s *Server) profileData(c *fiber.Ctx) (map[string]any, error) {
	a := account(c)
	ctx := c.UserContext()
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
		"Logins": logins, "CurrentLogin": current.ID, "Roles": roles, "Languages": locale.Supported(), "Zone": zone,
		"Zones": pickerZones(),
	}, nil
}

// offered tells whether zone is in the picker.
func offered(zone string) bool {
	for _, r := range pickerZones() {
		if slices.Contains(r.Zones, zone) {
			return true
		}
	}
	return false
}

func (s *Server) profileForm(a *accounts.Account) map[string]string {
	return map[string]string{"name": a.Name, "email": a.Email, "language": a.Language, "time_zone": a.TimeZone}
}

func (s *Server) profile(c *fiber.Ctx) error {
	data, err := s.profileData(c)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "accounts/profile", "profile.title", &Page{Form: s.profileForm(account(c)), Data: data})
}

// profileError re-renders the profile page with the errors of one of its forms.
func (s *Server) profileError(c *fiber.Ctx, err error, f map[string]string) error {
	data, derr := s.profileData(c)
	if derr != nil {
		return derr
	}
	fields := s.profileForm(account(c))
	for k, v := range f {
		fields[k] = v
	}
	return s.formError(c, err, "accounts/profile", "profile.title", fields, data)
}

// profileRefused shows the profile again with a rate limit's refusal beside field.
func (s *Server) profileRefused(field string) refusal {
	return func(c *fiber.Ctx, err error) error { return s.profileError(c, errAt(err, field), nil) }
}

func (s *Server) updateProfile(c *fiber.Ctx) error {
	f := form.Values(c, "name", "language", "time_zone")
	err := s.Accounts.UpdateProfile(c.UserContext(), account(c).ID, accounts.ProfileInput{Name: f["name"], Language: f["language"], TimeZone: f["time_zone"]})
	if err != nil {
		return s.profileError(c, err, f)
	}
	if f["language"] != "" {
		s.setLanguageCookie(c, f["language"])
	}
	return s.flash(c, "profile.saved", "/profile/")
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	f := form.Values(c, "current_password", "password", "password_confirm")
	token, err := s.Accounts.ChangePassword(c.UserContext(), account(c).ID, f["current_password"], f["password"], f["password_confirm"],
		strings.Clone(c.Get(fiber.HeaderUserAgent)))
	if err != nil {
		return s.profileError(c, err, nil)
	}
	s.setCookie(c, "convene_login", token, s.Clock.Now().Add(s.Config.LoginAbsolute))
	if a, err := accounts.ByID(c.UserContext(), s.DB, account(c).ID); err == nil {
		s.rememberDevice(c, a) // the new password ended every device's exemption, this one's too
	}
	return s.flash(c, "profile.password_changed", "/profile/")
}

func (s *Server) exportData(c *fiber.Ctx) error {
	data, err := s.Accounts.Export(c.UserContext(), s.actor(c), account(c).ID)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="convene-my-data.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

func (s *Server) deleteAccount(c *fiber.Ctx) error {
	f := form.Values(c, "delete_password")
	err := s.Accounts.Delete(c.UserContext(), s.actor(c), account(c).ID, f["delete_password"])
	if err != nil {
		return s.profileError(c, err, nil)
	}
	s.clearCookie(c, "convene_login")
	return s.flash(c, "profile.deleted", "/")
}

// newTokenCookie carries a just-created API token to the page that shows it once, so that
// creating one redirects after the post (a reload never makes a second token).
const newTokenCookie = "convene_new_token"

// advanced is the page of API tokens: for people who connect programs to Convene.
func (s *Server) advanced(c *fiber.Ctx) error {
	return s.advancedPage(c, fiber.StatusOK, nil, nil)
}

func (s *Server) advancedPage(c *fiber.Ctx, status int, err error, f map[string]string) error {
	tokens, lerr := s.Accounts.ListAPITokens(c.UserContext(), account(c).ID)
	if lerr != nil {
		return lerr
	}
	data := map[string]any{"Tokens": tokens, "Zone": s.viewerZone(c)}
	if t := c.Cookies(s.cookieName(newTokenCookie)); t != "" {
		// Shown once, and only to the account that made it: the cookie goes now.
		for _, tk := range tokens {
			if tk.RevokedAt == nil && strings.HasPrefix(t, "cvn_"+tk.Prefix) {
				data["NewToken"] = strings.Clone(t)
			}
		}
		s.clearNewToken(c)
	}
	if err != nil {
		return s.formError(c, err, "accounts/advanced", "advanced.title", f, data)
	}
	return s.page(c, status, "accounts/advanced", "advanced.title", &Page{Data: data})
}

// clearNewToken removes the cookie that carries a just-created token.
func (s *Server) clearNewToken(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: s.cookieName(newTokenCookie), Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
}

func (s *Server) createToken(c *fiber.Ctx) error {
	f := form.Values(c, "token_name")
	token, _, err := s.Accounts.CreateAPIToken(c.UserContext(), account(c).ID, f["token_name"])
	if err != nil {
		return s.advancedPage(c, fiber.StatusUnprocessableEntity, err, f)
	}
	// Never stored in plain text: it rides a short-lived cookie to the page that shows it once.
	c.Cookie(&fiber.Cookie{Name: s.cookieName(newTokenCookie), Value: token, Path: "/", MaxAge: 120,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	return c.Redirect("/profile/advanced", fiber.StatusSeeOther)
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	if _, err := accounts.APITokenOf(c.UserContext(), s.DB, account(c).ID, id); err != nil {
		return err
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.revoke_token.title", BodyID: "confirm.revoke_token.body",
		ButtonID: "confirm.revoke_token.button", DangerOK: true, Hidden: map[string]string{}, CancelURL: "/profile/advanced"}); !ok {
		return err
	}
	if err := s.Accounts.RevokeAPIToken(c.UserContext(), account(c).ID, id); err != nil {
		return err
	}
	return s.flash(c, "profile.token_revoked", "/profile/advanced")
}

func (s *Server) endLogin(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Accounts.EndLogin(c.UserContext(), account(c).ID, id); err != nil {
		return err
	}
	return s.flash(c, "profile.login_ended", "/profile/")
}
