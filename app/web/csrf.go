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

// deviceToken marks a browser in which the person with this email signed in: sign-in
// throttling spares it, so a stranger guessing a password cannot keep its owner out. It holds a
// time and a MAC, not the address.
func (s *Server) deviceToken(email string, now time.Time) string {
	at := strconv.FormatInt(now.Unix(), 10)
	return at + "." + s.sign("device", accounts.NormalizeEmail(email), at)
}

// trustedDevice tells whether this browser has signed in as email before.
func (s *Server) trustedDevice(c *fiber.Ctx, email string) bool {
	at, mac, ok := strings.Cut(c.Cookies(s.cookieName(deviceCookie)), ".")
	if !ok {
		return false
	}
	secs, err := strconv.ParseInt(at, 10, 64)
	if err != nil || s.Clock.Now().Sub(time.Unix(secs, 0)) > deviceMaxAge {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(s.sign("device", accounts.NormalizeEmail(email), at)))
}
