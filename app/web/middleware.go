package web

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/helmet"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/problem"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

// Keys of c.Locals.
const (
	localAccount   = "account"
	localLogin     = "login"
	localLang      = "lang"
	localViaAPI    = "api_token"
	localRequestID = "requestid"
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

// quiet tells the routes that machines poll or browsers fetch by the dozen: their requests are
// logged at debug only.
func quiet(route string) bool {
	return route == "/healthz" || route == "/readyz" || route == "/metrics" || strings.HasPrefix(route, "/static/")
}

// observe logs every request in one short line and records it in the metrics. It logs the route
// pattern, never the path: paths carry tokens (/verify/:token, /reset/:token). It runs the error
// handler itself so that the status it logs is the one the client gets.
func (s *Server) observe(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			logger(c, s.Logger).Error("writing error response", "err", herr)
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	route := routeOf(c)
	method := strings.Clone(c.Method()) // Fiber's string points into a buffer the next request reuses
	elapsed := time.Since(start)
	s.metrics.Observe(method, route, status, elapsed)
	level := slog.LevelInfo
	switch {
	case status >= 500:
		level = slog.LevelError
	case quiet(route):
		level = slog.LevelDebug
	}
	if s.Logger.Enabled(c.UserContext(), level) {
		logger(c, s.Logger).Log(c.UserContext(), level, method+" "+route, "status", status, "ms", elapsed.Milliseconds())
	}
	return nil
}

// routeOf is the pattern of the route that answered ("/reset/:token"); "unmatched" when only
// middleware did (the not-found handler, a refused CSRF token).
func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Method != "USE" {
		return r.Path
	}
	return "unmatched"
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
		a, err := s.Accounts.AuthenticateAPIToken(ctx, strings.Clone(strings.TrimSpace(token)))
		if err != nil {
			if errors.Is(err, accounts.ErrTokenInvalid) || errors.Is(err, store.ErrNotFound) {
				return errUnauthorized
			}
			return err
		}
		acct = &a
		c.Locals(localViaAPI, true)
	} else if token := c.Cookies(s.cookieName("convene_login")); token != "" {
		a, login, err := s.authenticate(c, strings.Clone(token))
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

// refusal answers a request over its route's rate limit: it shows the route's form again with
// the refusal (already placed beside the right field) and the real wait. Without one, pages get
// the error page; the API always gets its JSON error.
type refusal func(c *fiber.Ctx, err error) error

// onForm is the refusal that shows the route's form (template, title) again with what was
// typed in fields, and the wait beside field; data is what else the form needs (may be nil).
func (s *Server) onForm(template, titleID, field string, fields []string, data func(*fiber.Ctx) any) refusal {
	return func(c *fiber.Ctx, err error) error {
		var d any
		if data != nil {
			d = data(c)
		}
		return s.formError(c, errAt(err, field), template, titleID, form.Values(c, fields...), d)
	}
}

// errAt places a refusal beside field of its form.
func errAt(err error, field string) error {
	if p, ok := err.(*problem.Error); ok && field != "" {
		return p.At(field)
	}
	return err
}

// limit allows r.Max requests per r.Window for each client address (an IPv6 address's /64: one
// host holds the whole of it) on the route it guards. The counters live in the database, so the
// limit holds across instances. Limits are sized for a venue whose whole audience shares one
// address; what protects an account is counted per account (sign-in throttling).
func (s *Server) limit(name string, r config.Rate, refuse refusal) fiber.Handler {
	return s.limitBy(name, r, s.proxies.Network, refuse)
}

// limitRegistration limits registration changes per account; guests, who may share a venue's
// address, per address with a limit of their own.
func (s *Server) limitRegistration(refuse refusal) fiber.Handler {
	perAccount := s.limitBy("register", s.Config.RateRegister, accountKey, refuse)
	perAddress := s.limit("guest", s.Config.RateGuest, refuse)
	return func(c *fiber.Ctx) error {
		if account(c) != nil {
			return perAccount(c)
		}
		return perAddress(c)
	}
}

// accountKey counts a signed-in request by its account.
func accountKey(c *fiber.Ctx) string { return strconv.FormatInt(account(c).ID, 10) }

// limitRecipient limits the mail a form sends to the address typed in field, whoever asks:
// otherwise anyone could fill a stranger's mailbox from many addresses. A request without a
// valid address is left to the form's own rules.
func (s *Server) limitRecipient(name, field string, refuse refusal) fiber.Handler {
	return s.limitBy(name, s.Config.RateRecipient, func(c *fiber.Ctx) string {
		if account(c) != nil {
			return "" // an account's registration mails its own, proven address
		}
		email, _ := validate.CanonicalEmail(c.FormValue(field))
		return email
	}, refuse)
}

// limitBy is a rate limit keyed by what key says of the request (an empty key is not counted):
// at most r.Max requests per key in a window of r.Window from its first, counted in the
// database (store.Limits) so that instances share the count. Over the limit the middleware
// answers itself, with the real wait: the API its JSON error, a page through refuse. The
// handler is never reached, so it cannot forget the limit.
func (s *Server) limitBy(name string, r config.Rate, key func(*fiber.Ctx) string, refuse refusal) fiber.Handler {
	return func(c *fiber.Ctx) error {
		k := key(c)
		if k == "" {
			return c.Next()
		}
		now := s.Clock.Now()
		hits, resets, err := s.limits.Hit(c.UserContext(), "limit:"+name+":"+k, now, r.Window)
		if err != nil {
			return err
		}
		c.Set("X-RateLimit-Limit", strconv.Itoa(r.Max))
		c.Set("X-RateLimit-Remaining", strconv.Itoa(max(r.Max-hits, 0)))
		wait := max(resets.Sub(now), time.Second)
		c.Set("X-RateLimit-Reset", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		if hits <= r.Max {
			return c.Next()
		}
		if isAPI(c) || refuse == nil {
			return errTooMany.After(wait)
		}
		return refuse(c, errTooManyForm.After(wait))
	}
}

// qaKey counts live Q&A requests by the person: their account, else their anonymous device
// (whose questions and votes are counted under it too), else their network.
func (s *Server) qaKey(c *fiber.Ctx) string {
	if a := account(c); a != nil {
		return "a" + strconv.FormatInt(a.ID, 10)
	}
	if d := s.device(c, false); d != "" {
		return qa.DeviceKey(d)
	}
	return s.proxies.Network(c)
}

// hit counts one event of name for key against r, as limitBy does, for what comes by other
// ways than a request (a live socket's frames); the refusal carries the wait.
func (s *Server) hit(ctx context.Context, name string, r config.Rate, key string) error {
	now := s.Clock.Now()
	hits, resets, err := s.limits.Hit(ctx, "limit:"+name+":"+key, now, r.Window)
	if err != nil {
		return err
	}
	if hits > r.Max {
		return errTooMany.After(max(resets.Sub(now), time.Second))
	}
	return nil
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

// logger is base with the request's id, made only when something is logged: a logger with
// attributes formats them when made, which cost every request its share of the CPU.
func logger(c *fiber.Ctx, base *slog.Logger) *slog.Logger {
	rid, _ := c.Locals(localRequestID).(string)
	return base.With("request_id", rid)
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// wantsJSON tells whether an error should be answered in JSON: on the API, or when the client
// prefers JSON to HTML.
func wantsJSON(c *fiber.Ctx) bool {
	return isAPI(c) || c.Accepts(fiber.MIMETextHTML, fiber.MIMEApplicationJSON) == fiber.MIMEApplicationJSON
}

// safeNext keeps a redirect target on this site: an absolute path with nothing a browser could
// read as another host. Browsers drop tabs and line breaks from URLs and read a backslash as a
// slash, so "/\t/evil.example" and "/\\evil.example" mean "//evil.example"; any control
// character, backslash or a second leading slash sends the visitor home instead.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsAny(next, "\\") || !validate.Printable(next, false) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}
