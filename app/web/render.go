package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/medama-io/go-useragent"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/consultation"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/monitoring"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/translated"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/cache"
	"github.com/convene/convene/app/web/markdown"
)

// Page is what every template receives.
type Page struct {
	Lang  string
	Path  string // the request path, for the language switch and sign-in return
	Title string // already translated
	// Description is the page's summary for search engines and link previews (the site's
	// when empty); URL its absolute address.
	Description string
	URL         string
	Account     *accounts.Account
	HasRoles    bool      // the account holds a role in some process: the header offers My processes
	Now         time.Time // the moment the page is made, for "5 min ago"
	CSRF        string
	Flash       string // message id
	RequestID   string
	Errors      validate.Errors
	Form        map[string]string
	Data        any
	// Body stands in the layout for content already rendered (the page cache's), which is
	// put around it as it is sent.
	Body template.HTML
	// cached is the page cache's content to show, when the request hit it.
	cached *cache.Content
	// part is a fragment of the page cache (Server.fragment) that goes where the page put
	// cache.Marker.
	part *cache.Content
}

// FieldError returns the first error message id for field, if any.
func (p *Page) FieldError(field string) *validate.FieldError {
	for i := range p.Errors {
		if p.Errors[i].Field == field {
			return &p.Errors[i]
		}
	}
	return nil
}

// renderer holds, per interface language, a template set for each page, so that the
// translation function `t` is bound to the page's language and templates need not pass it
// around. A page's set (the layout and partials with the page) is made the first time the page
// is drawn in a language: making all of them up front copied the layout and partials for every
// page and language, 60 MB and a fifth of a second a server, mostly for pages never drawn.
type renderer struct {
	sets   map[string]map[string]*pageSet // lang → page name → its set
	static *staticFiles
	zones  sync.Map // zone name → *time.Location, so a render never reads the zone database
	ua     *useragent.Parser
	md     *markdown.Renderer
}

// pageSet is a page's templates in one language, made on first use.
type pageSet struct {
	base *template.Template // the language's layout and partials, never executed: only copied
	tfs  fs.FS
	file string

	once sync.Once
	t    *template.Template
	err  error
}

// get returns the page's templates, making them the first time.
func (p *pageSet) get() (*template.Template, error) {
	p.once.Do(func() {
		t, err := p.base.Clone()
		if err == nil {
			t, err = t.ParseFS(p.tfs, p.file)
		}
		if err != nil {
			err = fmt.Errorf("parsing %s: %w", p.file, err)
		}
		p.t, p.err = t, err
	})
	return p.t, p.err
}

// newRenderer parses the layout and partials in every language, and every page once, so that
// a template that does not parse stops the server at start as before.
func newRenderer(tfs fs.FS, bundle *locale.Bundle, static *staticFiles) (*renderer, error) {
	r := &renderer{sets: map[string]map[string]*pageSet{}, static: static, ua: useragent.NewParser(), md: markdown.New()}
	pages, err := fs.Glob(tfs, "*/*.html")
	if err != nil {
		return nil, err
	}
	for i, lang := range locale.Supported() {
		fm := funcs(lang, bundle, static, r.zone, r.ua)
		base, err := template.New("layout.html").Funcs(fm).Funcs(template.FuncMap{"markdown": r.md.HTML}).Funcs(scheduleFuncs(lang, bundle, r.zone)).
			ParseFS(tfs, "layout.html", "partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("parsing layout: %w", err)
		}
		r.sets[lang] = map[string]*pageSet{}
		for _, p := range pages {
			if strings.HasPrefix(p, "partials/") {
				continue
			}
			if i == 0 {
				// Every language has the same functions: one parse checks the page.
				if _, err := template.New(path.Base(p)).Funcs(fm).Funcs(template.FuncMap{"markdown": r.md.HTML}).Funcs(scheduleFuncs(lang, bundle, r.zone)).
					ParseFS(tfs, p); err != nil {
					return nil, fmt.Errorf("parsing %s: %w", p, err)
				}
			}
			r.sets[lang][strings.TrimSuffix(p, ".html")] = &pageSet{base: base, tfs: tfs, file: p}
		}
	}
	return r, nil
}

// page returns the templates of page name in lang.
func (r *renderer) page(lang, name string) (*template.Template, error) {
	p, ok := r.sets[lang][name]
	if !ok {
		return nil, fmt.Errorf("no template %q", name)
	}
	return p.get()
}

// render writes page name (e.g. "accounts/signin") in p.Lang.
func (r *renderer) render(name string, p *Page) ([]byte, error) {
	t, err := r.page(p.Lang, name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderContent writes only the content of page name (its "content" template), for the page
// cache: the layout around it is drawn per request.
func (r *renderer) renderContent(name string, p *Page) (template.HTML, error) {
	t, err := r.page(p.Lang, name)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "content", p); err != nil {
		return "", fmt.Errorf("rendering %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // already escaped: html/template rendered it
}

// renderPart writes the template part of page name, for a fragment of the page cache.
func (r *renderer) renderPart(name, part string, p *Page) (template.HTML, error) {
	t, err := r.page(p.Lang, name)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, part, p); err != nil {
		return "", fmt.Errorf("rendering %s of %s: %w", part, name, err)
	}
	return template.HTML(buf.String()), nil // already escaped: html/template rendered it
}

// zone returns the named time zone, loaded once; an unknown name is UTC.
func (r *renderer) zone(name string) *time.Location {
	if l, ok := r.zones.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := clock.Zone(name)
	if err != nil {
		loc = time.UTC
	}
	r.zones.Store(name, loc)
	return loc
}

func funcs(lang string, bundle *locale.Bundle, static *staticFiles, zone func(string) *time.Location, ua *useragent.Parser) template.FuncMap {
	t := func(id string, kv ...any) string {
		var data map[string]any
		if len(kv) > 0 {
			data = map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				data[fmt.Sprint(kv[i])] = kv[i+1]
			}
		}
		return bundle.T(lang, id, data)
	}
	// date writes an instant in the reader's language and the given zone, naming the zone:
	// "25 de noviembre de 2026, 03:33 (hora de Ciudad de México)".
	date := func(ts time.Time, name string) string {
		if name == "" {
			name = "UTC"
		}
		local := ts.In(zone(name))
		d := bundle.T(lang, "date.long", map[string]any{"Day": local.Day(), "Month": bundle.T(lang, fmt.Sprintf("month.%d", local.Month()), nil),
			"Year": local.Year(), "Time": local.Format("15:04")})
		if name == "UTC" {
			return d + " (UTC)"
		}
		return d + " (" + bundle.T(lang, "date.zone", map[string]any{"Zone": zoneName(bundle, lang, name)}) + ")"
	}
	return template.FuncMap{
		"t": t,
		// td translates with the values of a map, for messages whose values a handler chose.
		"td": func(id string, data map[string]any) string { return bundle.T(lang, id, data) },
		// te translates a field error, naming its field.
		"te": func(e *validate.FieldError) string {
			if e == nil {
				return ""
			}
			return fieldMessage(bundle, lang, *e)
		},
		"tf": func(e validate.FieldError) string { return fieldMessage(bundle, lang, e) },
		// tx shows translated content in the page language, falling back to the given
		// languages (a process's content languages) and then to any.
		"tx": func(text translated.Text, fallbacks []string) string {
			return text.In(lang, fallbacks...)
		},
		"static": static.url,
		"join":   strings.Join,
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict needs key/value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m, nil
		},
		"date": date,
		// until writes the end of a period (a registration window) as date does; one ending at
		// midnight ends on the day before, at 23:59, as people say it.
		"until": func(ts time.Time, name string) string {
			if local := ts.In(zone(name)); local.Hour() == 0 && local.Minute() == 0 {
				ts = ts.Add(-time.Minute)
			}
			return date(ts, name)
		},
		// ago says how long ago ts was, from now: "hace 5 min".
		"ago": func(ts, now time.Time) string {
			d := now.Sub(ts)
			switch {
			case d < time.Minute:
				return bundle.T(lang, "time.just_now", nil)
			case d < time.Hour:
				return bundle.T(lang, "time.minutes_ago", map[string]any{"N": int(d / time.Minute)})
			case d < 24*time.Hour:
				return bundle.T(lang, "time.hours_ago", map[string]any{"N": int(d / time.Hour)})
			}
			return bundle.T(lang, "time.days_ago", map[string]any{"N": int(d / (24 * time.Hour))})
		},
		"device":   func(userAgent string) string { return device(bundle, lang, ua, userAgent) },
		"zoneName": func(id string) string { return zoneName(bundle, lang, id) },
		"offered":  offered,
		"offset":   utcOffset,
		"otherLang": func() string {
			for _, l := range locale.Supported() {
				if l != lang {
					return l
				}
			}
			return lang
		},
		"langName": func(l string) string { return bundle.T(lang, "language."+l, nil) },
		// langLower is a language's name inside a sentence ("en español").
		"langLower": func(l string) string { return strings.ToLower(bundle.T(lang, "language."+l, nil)) },
		"hasPrefix": strings.HasPrefix,
		"ternary": func(cond bool, yes, no any) any {
			if cond {
				return yes
			}
			return no
		},
		"roles":    registration.Roles,
		"genders":  registration.Genders,
		"statuses": registration.Statuses,
		"deref": func(n *int) int {
			if n == nil {
				return 0
			}
			return *n
		},
		// trimBadge is the registration page a badge's address belongs to.
		"trimBadge": func(path string) string { return strings.TrimSuffix(path, "/badge") },
		"pubID":     minutes.PublicID,
		// pct100 writes a share (0 to 1) as a whole percentage.
		"pct100":      func(f float64) int { return int(math.Round(f * 100)) },
		"reasonsList": consultation.Reasons,
		// fileKind names a submission file's checked type as its extension; kb is a size in KB.
		"fileKind": func(contentType string) string {
			for ext, t := range map[string]string{"pdf": consultation.TypePDF, "odt": consultation.TypeODT, "docx": consultation.TypeDOCX} {
				if t == contentType {
					return ext
				}
			}
			return "other"
		},
		"kb": func(n int64) int64 { return (n + 1023) / 1024 },
		// pct is n as a share of max, for a bar's length.
		"pct": func(n, max int) int {
			if max <= 0 {
				return 0
			}
			return n * 100 / max
		},
		"maxCount": func(rows []monitoring.Count) int {
			m := 0
			for _, r := range rows {
				m = max(m, r.N)
			}
			return m
		},
		"derefTime": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		"prepend": func(first string, rest []string) []string { return append([]string{first}, rest...) },
		"list":    func(items ...string) []string { return items },
		"add":     func(a, b any) int64 { return toInt64(a) + toInt64(b) },
		// split cuts text into paragraphs at blank lines.
		"split": func(text string) []string {
			var out []string
			for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
			return out
		},
	}
}

// fieldMessage says what is wrong with a field and what to do, naming the field: the message
// written for that field when there is one (error.required.name: "Escribe tu nombre"), else
// the general one with the field's label filled in ("Completa «Nombre»").
func fieldMessage(bundle *locale.Bundle, lang string, e validate.FieldError) string {
	field := e.Field
	for _, prefix := range []string{"topic_", "grant_"} {
		field = strings.TrimPrefix(field, prefix)
	}
	// A reply's form names its fields for the comment it answers: reply-12-body is a body.
	if rest, ok := strings.CutPrefix(field, "reply-"); ok {
		if _, name, ok := strings.Cut(rest, "-"); ok {
			field = name
		}
	}
	if id := e.Code + "." + field; bundle.Has(id) {
		return bundle.T(lang, id, e.Data)
	}
	data := map[string]any{"Label": fieldLabel(bundle, lang, field)}
	for k, v := range e.Data {
		data[k] = v
	}
	return bundle.T(lang, e.Code, data)
}

// fieldLabel is how a form labels field: "Título (español)" for title.es, "Ponente 2:
// Semblanza (inglés)" for the second row of a list, speakers.1.bio.en.
func fieldLabel(bundle *locale.Bundle, lang, field string) string {
	if list, rest, ok := strings.Cut(field, "."); ok {
		if n, sub, ok := strings.Cut(rest, "."); ok {
			if i, err := strconv.Atoi(n); err == nil && bundle.Has("field."+list+"_item") {
				return bundle.T(lang, "field."+list+"_item", map[string]any{"N": i + 1}) + ": " + fieldLabel(bundle, lang, sub)
			}
		}
	}
	name, l, translated := strings.Cut(field, ".")
	label := name
	if bundle.Has("field." + name) {
		label = bundle.T(lang, "field."+name, nil)
	}
	if translated && bundle.Has("language."+l) {
		label += " (" + strings.ToLower(bundle.T(lang, "language."+l, nil)) + ")"
	}
	return label
}

// zoneName is a time zone as people call it: its city in the catalogs, else its IANA name.
func zoneName(bundle *locale.Bundle, lang, id string) string { return bundle.ZoneName(lang, id) }

// device names a browser as its owner knows it, "Chrome en Windows", from its user agent.
func device(bundle *locale.Bundle, lang string, ua *useragent.Parser, userAgent string) string {
	a := ua.Parse(userAgent)
	browser, os := string(a.Browser()), string(a.OS())
	switch {
	case browser == "" && os == "":
		return bundle.T(lang, "device.unknown", nil)
	case os == "":
		return browser
	case browser == "":
		return os
	}
	return bundle.T(lang, "device.browser_on_os", map[string]any{"Browser": browser, "OS": os})
}

// staticFiles serves frontend/static under content-hashed URLs (/static/<hash>/<path>), so
// browsers may cache them forever and a new release is fetched at once.
type staticFiles struct {
	files map[string]staticFile
}

type staticFile struct {
	hash, contentType string
	body              []byte
}

func loadStatic(sfs fs.FS) (*staticFiles, error) {
	s := &staticFiles{files: map[string]staticFile{}}
	err := fs.WalkDir(sfs, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sfs, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		s.files[p] = staticFile{hash: hex.EncodeToString(sum[:])[:12], contentType: ct, body: body}
		return nil
	})
	return s, err
}

func (s *staticFiles) url(name string) (string, error) {
	f, ok := s.files[name]
	if !ok {
		return "", fmt.Errorf("no static file %q", name)
	}
	return "/static/" + f.hash + "/" + name, nil
}

func toInt64(v any) int64 {
	switch n := v.(type) {
	case int:
		return int64(n)
	case int64:
		return n
	}
	return 0
}

// page renders a full HTML page for the current request.
func (s *Server) page(c *fiber.Ctx, status int, name, titleID string, p *Page) error {
	if p == nil {
		p = &Page{}
	}
	p.Lang = lang(c)
	p.Now = s.Clock.Now()
	p.Path = returnPath(c)
	p.URL = s.Config.BaseURL + c.Path()
	p.Account = account(c)
	if l, ok := c.Locals(localLogin).(accounts.Login); ok {
		p.HasRoles = l.HasRoles
	}
	// A page cached for every visitor holds no token (its forms are GET), and gives no
	// visitor cookie either.
	if fill, _ := c.Locals(localCacheFill).(bool); !fill || p.Account != nil {
		p.CSRF = s.csrfToken(c)
	}
	p.RequestID, _ = c.Locals(localRequestID).(string)
	if titleID != "" && p.Title == "" {
		p.Title = s.Locale.T(p.Lang, titleID, nil)
	}
	content := p.cached
	if fill, ok := c.Locals(localContentFor).(*contentFill); ok && !fill.done && status == fiber.StatusOK && content == nil &&
		c.Locals(localNoCache) == nil {
		body, err := s.render.renderContent(name, p)
		if err != nil {
			return err
		}
		if p.part != nil {
			b, err := cache.Inline([]byte(body), p.part)
			if err != nil {
				return err
			}
			body, p.part = template.HTML(b), nil // already escaped: html/template rendered both
		}
		fill.done = true
		content = cache.NewContent(fill.made, p.Title, p.Description, []byte(body))
		s.cache.PutContent(fill.rev, fill.key, content)
	}
	if content != nil {
		p.Body, name = cache.Marker, "pages/cached"
	}
	// A page's script redrawing it in place (refreshHeader) leaves the flash to the page the
	// browser goes to: the action that set it also made the event that asked for the redraw.
	if f := c.Cookies("convene_flash"); f != "" && c.Get(refreshHeader) == "" {
		if s.Locale.Has(f) {
			p.Flash = strings.Clone(f)
		}
		// Cleared with the path it was set with, or the browser keeps it and the message repeats.
		c.Cookie(&fiber.Cookie{Name: "convene_flash", Value: "", Path: "/", Expires: time.Unix(1, 0), MaxAge: -1,
			Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	}
	body, err := s.render.render(name, p)
	if err != nil {
		return err
	}
	// Pages may show personal data: shared caches must not keep them, and a signed-in page
	// (a new API token, a list of logins) must not stay on the disk of a shared computer.
	if p.Account != nil {
		c.Set(fiber.HeaderCacheControl, "no-store")
	} else {
		c.Set(fiber.HeaderCacheControl, "private, no-cache")
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	if content != nil {
		return cache.SendAround(c, status, body, content)
	}
	if p.part != nil {
		// A response cached whole keeps the part in it; others are sent around it.
		if fill, _ := c.Locals(localCacheFill).(bool); !fill {
			return cache.SendAround(c, status, body, p.part)
		}
		if body, err = cache.Inline(body, p.part); err != nil {
			return err
		}
	}
	return c.Status(status).Send(body)
}

// returnPath is where the language switch and sign-in come back to: this page, or, for a page
// answering a post (a form with errors, a confirmation), the page the form was on: the post's
// own address takes no GET.
func returnPath(c *fiber.Ctx) string {
	if page, ok := c.Locals(localCacheURL).(string); ok {
		return page // a cached page is drawn for the address it is filed under
	}
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.OriginalURL()
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && ref.Host == c.Hostname() {
		return safeNext(ref.RequestURI())
	}
	return "/"
}

// refreshHeader marks a page's own script fetching it again to redraw it in place.
const refreshHeader = "X-Convene-Refresh"

// flash leaves a message id for the next page and redirects there (post/redirect/get).
func (s *Server) flash(c *fiber.Ctx, messageID, to string) error {
	c.Cookie(&fiber.Cookie{Name: "convene_flash", Value: messageID, Path: "/", MaxAge: 60,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(to, fiber.StatusSeeOther)
}
