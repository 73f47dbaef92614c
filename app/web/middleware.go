package web

import (
	"errors"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/store"
)

// Keys of c.Locals.
const (
	localAccount = "account"
	localLogin   = "login"
	localLang    = "lang"
	localCSRF    = "csrf"
	localLogger  = "logger"
	localViaAPI  = "api_token"
)

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"

// cookieName adds the __Host- prefix when served over https: the browser then refuses the
// cookie unless it is Secure, host-only and for the whole path.
func (s *Server) cookieName(name string) string {
	if s.Config.Secure() {
		return "__Host-" + name
	}
	return name
}

// clientIP is the address the request came from. X-Forwarded-For counts only when the direct
// peer is a trusted proxy; then the right-most address that is not a trusted proxy is the
// client (left-most entries are whatever the client chose to send).
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP().String()
	if !s.trusted(peer) {
		return peer
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		if _, err := netip.ParseAddr(h); err != nil {
			break
		}
		if !s.trusted(h) {
			return h
		}
	}
	return peer
}

func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// observe logs every request with its request id and records it in the metrics. It runs the
// error handler itself so that the status it logs is the one the client gets.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	rid, _ := c.Locals("requestid").(string)
	log := s.Logger.With("request_id", rid)
	c.Locals(localLogger, log)
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			log.Error("writing error response", "err", herr)
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := c.Route().Path
	elapsed := time.Since(start)
	s.metrics.observe(c.Method(), route, status, elapsed)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	log.Log(c.UserContext(), level, "request", "method", c.Method(), "path", c.Path(), "route", route,
		"status", status, "duration_ms", float64(elapsed.Microseconds())/1000, "ip", s.clientIP(c))
	return nil
}

func (s *Server) securityHeaders() fiber.Handler {
	h := helmet.New(helmet.Config{
		ContentSecurityPolicy:     contentSecurityPolicy,
		XFrameOptions:             "DENY",
		ReferrerPolicy:            "strict-origin-when-cross-origin",
		PermissionPolicy:          "camera=(), microphone=(), geolocation=(), payment=()",
		CrossOriginEmbedderPolicy: "unsafe-none",
		CrossOriginOpenerPolicy:   "same-origin",
		CrossOriginResourcePolicy: "same-origin",
		HSTSMaxAge:                0, // set below from the configured scheme, not the request's
	})
	secure := s.Config.Secure()
	return func(c *fiber.Ctx) error {
		if secure {
			c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
		}
		return h(c)
	}
}

// identify finds who is asking (a login cookie, or a bearer token on /api/v1) and in which
// language to answer.
func (s *Server) identify(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var acct *accounts.Account
	if auth := c.Get(fiber.HeaderAuthorization); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || !strings.HasPrefix(c.Path(), "/api/") {
			return errUnauthorized
		}
		a, err := s.Accounts.AuthenticateAPIToken(ctx, strings.TrimSpace(token))
		if err != nil {
			if errors.Is(err, accounts.ErrTokenInvalid) || errors.Is(err, store.ErrNotFound) {
				return errUnauthorized
			}
			return err
		}
		acct = &a
		c.Locals(localViaAPI, true)
	} else if token := c.Cookies(s.cookieName("convene_login")); token != "" {
		a, login, err := s.Accounts.Authenticate(ctx, token)
		switch {
		case err == nil:
			acct = &a
			c.Locals(localLogin, login)
		case errors.Is(err, accounts.ErrTokenInvalid) || errors.Is(err, store.ErrNotFound):
			s.clearCookie(c, "convene_login")
		default:
			return err
		}
	}
	if acct != nil {
		c.Locals(localAccount, acct)
	}
	accountLang := ""
	if acct != nil {
		accountLang = acct.Language
	}
	c.Locals(localLang, s.Locale.Negotiate(accountLang, c.Cookies("convene_lang"), c.Get(fiber.HeaderAcceptLanguage)))
	c.Vary(fiber.HeaderAcceptLanguage)
	c.Vary(fiber.HeaderCookie)
	return c.Next()
}

func (s *Server) setCookie(c *fiber.Ctx, name, value string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", Expires: expires,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{
		Name: s.cookieName(name), Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// csrfProtect guards every unsafe request made with cookies. API requests that carry a bearer
// token, or no login at all, have no ambient credentials to abuse and skip it (pages keep it
// even for anonymous visitors, against login CSRF).
func (s *Server) csrfProtect() fiber.Handler {
	return csrf.New(csrf.Config{
		Next: func(c *fiber.Ctx) bool {
			return c.Locals(localViaAPI) != nil || (isAPI(c) && account(c) == nil)
		},
		CookieName:        s.cookieName("convene_csrf"),
		CookieSecure:      s.Config.Secure(),
		CookieHTTPOnly:    true,
		CookieSameSite:    fiber.CookieSameSiteLaxMode,
		CookieSessionOnly: true,
		Expiration:        4 * time.Hour,
		Storage:           s.kv,
		ContextKey:        localCSRF,
		Extractor: func(c *fiber.Ctx) (string, error) {
			if t := c.Get("X-CSRF-Token"); t != "" {
				return t, nil
			}
			if t := c.FormValue("_csrf"); t != "" {
				return t, nil
			}
			return "", csrf.ErrTokenNotFound
		},
		ErrorHandler: func(c *fiber.Ctx, err error) error { return errCSRF },
	})
}

// limit allows r.Max requests per r.Window for each client address on the route it guards.
func (s *Server) limit(name string, r config.Rate) fiber.Handler {
	return limiter.New(limiter.Config{
		Max:          r.Max,
		Expiration:   r.Window,
		Storage:      s.kv,
		KeyGenerator: func(c *fiber.Ctx) string { return "limit:" + name + ":" + s.clientIP(c) },
		LimitReached: func(c *fiber.Ctx) error { return errTooMany },
	})
}

// requireAccount sends anonymous visitors to sign in (pages) or answers 401 (API).
func (s *Server) requireAccount(c *fiber.Ctx) error {
	if account(c) != nil {
		return c.Next()
	}
	if isAPI(c) {
		return errUnauthorized
	}
	return c.Redirect("/signin?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
}

// requireAdmin lets admins through and answers everyone else 403 (401 when anonymous).
func (s *Server) requireAdmin(c *fiber.Ctx) error {
	a := account(c)
	if a == nil {
		return s.requireAccount(c)
	}
	if !a.IsAdmin {
		return errForbidden
	}
	return c.Next()
}

func account(c *fiber.Ctx) *accounts.Account {
	a, _ := c.Locals(localAccount).(*accounts.Account)
	return a
}

func lang(c *fiber.Ctx) string {
	if l, ok := c.Locals(localLang).(string); ok {
		return l
	}
	return locale.Default
}

func logger(c *fiber.Ctx, fallback *slog.Logger) *slog.Logger {
	if l, ok := c.Locals(localLogger).(*slog.Logger); ok {
		return l
	}
	return fallback
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
