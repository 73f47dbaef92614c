package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/accounts"
)

// CSRF tokens are signed, not stored: a token is the HMAC, under the server key, of what it is
// bound to: the login for a signed-in browser, else a random visitor cookie. Checking one reads
// nothing and writes nothing, a token planted before sign-in is worthless after it (the binding
// changed), and a token made for one login does not work for another's.

const (
	visitorCookie = "convene_visitor"
	deviceCookie  = "convene_device"
	deviceMaxAge  = 400 * 24 * time.Hour // the longest browsers keep a cookie
)

// sign returns the MAC of the parts under the server key, for a cookie or a form.
func (s *Server) sign(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfBinding is what this request's token is bound to, or "" when there is nothing yet.
func (s *Server) csrfBinding(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLogin).(accounts.Login); ok {
		return "login:" + l.TokenHash
	}
	if v := c.Cookies(s.cookieName(visitorCookie)); v != "" {
		return "visitor:" + v
	}
	return ""
}

// csrfToken returns the token for this request's forms, giving an anonymous browser its
// visitor cookie first when it has none (a cookie, not a row).
func (s *Server) csrfToken(c *fiber.Ctx) string {
	b := s.csrfBinding(c)
	if b == "" {
		raw := make([]byte, 18)
		_, _ = rand.Read(raw)
		v := base64.RawURLEncoding.EncodeToString(raw)
		c.Cookie(&fiber.Cookie{Name: s.cookieName(visitorCookie), Value: v, Path: "/",
			Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
		c.Request().Header.SetCookie(s.cookieName(visitorCookie), v)
		b = "visitor:" + v
	}
	return s.sign("csrf", b)
}

// csrfProtect checks the token of every unsafe request made with cookies. API requests with a
// bearer token, or with no login at all, carry no ambient credentials to abuse and skip it;
// pages keep it even for anonymous visitors, against login CSRF.
func (s *Server) csrfProtect(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return c.Next()
	}
	if c.Locals(localViaAPI) != nil || (isAPI(c) && account(c) == nil) {
		return c.Next()
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = c.FormValue("_csrf")
	}
	b := s.csrfBinding(c)
	if b == "" || sent == "" || !hmac.Equal([]byte(sent), []byte(s.sign("csrf", b))) {
		return errCSRF
	}
	return c.Next()
}

// deviceToken marks a browser in which the person signed in: sign-in throttling spares it, so a
// stranger guessing a password cannot keep its owner out. It holds a time and a MAC over the
// account's address and the moment its password last changed, not the address: a new password
// ends every device's exemption.
func (s *Server) deviceToken(a accounts.Account, now time.Time) string {
	at := strconv.FormatInt(now.Unix(), 10)
	return at + "." + s.sign("device", a.Email, strconv.FormatInt(a.PasswordChangedAt.UnixNano(), 10), at)
}

// trustedDevice tells whether this browser has signed in as a, under its current password.
func (s *Server) trustedDevice(c *fiber.Ctx, a accounts.Account) bool {
	at, mac, ok := strings.Cut(c.Cookies(s.cookieName(deviceCookie)), ".")
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(at, 10, 64)
	if err != nil || s.Clock.Now().Sub(time.Unix(secs, 0)) > deviceMaxAge {
		return false
	}
	want := s.sign("device", a.Email, strconv.FormatInt(a.PasswordChangedAt.UnixNano(), 10), at)
	return hmac.Equal([]byte(mac), []byte(want))
}

// rememberDevice gives this browser a device cookie for a.
func (s *Server) rememberDevice(c *fiber.Ctx, a accounts.Account) {
	now := s.Clock.Now()
	s.setCookie(c, deviceCookie, s.deviceToken(a, now), now.Add(deviceMaxAge))
}
