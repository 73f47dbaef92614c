package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/mail"
	convene "github.com/convene/convene/app/site"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/app/web"
)

func TestMain(m *testing.M) {
	code := storetest.Main(m)
	closeBrowser()
	os.Exit(code)
}

// site is a running Convene on a real listener and a real database.
type site struct {
	t        testing.TB
	db       *storetest.DB
	clock    *clock.Fixed
	base     string
	cfg      config.Config
	accounts *accounts.Service
	srv      *web.Server
	app      *convene.Site
}

type siteOption func(*config.Config)

// secure makes the site believe it is served over https (as behind a TLS-terminating proxy).
func secure(c *config.Config) { c.BaseURL = "https://convene.example" }

func newSite(t testing.TB, db *storetest.DB, opts ...siteOption) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	generous := config.Rate{Max: 10000, Window: time.Minute}
	cfg := config.Config{
		DatabaseURL: db.URL, Addr: ln.Addr().String(), BaseURL: base, MailFrom: "convene@example.org",
		LogFormat: "text", LogLevel: "error", AutoMigrate: true, DBMaxConns: 4,
		LoginIdle: 8 * time.Hour, LoginAbsolute: 7 * 24 * time.Hour,
		RateSignIn: generous, RateSignUp: generous, RateReset: generous, RateAPI: generous,
		RateRegister: generous, RateGuest: generous, RateRecipient: generous, RateMessage: generous, RateQuestion: generous, RateVote: generous,
		RateMinutes: generous, RateComment: generous, RateMark: generous,
		ShutdownTimeout: 5 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	clk := clock.NewFixed(time.Now())
	// The site's errors are kept and shown when the test fails (a 500 then says why).
	errs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(errs, &slog.HandlerOptions{Level: slog.LevelError}))
	t.Cleanup(func() {
		if t.Failed() && errs.Len() > 0 {
			t.Logf("the site's errors:\n%s", errs.String())
		}
	})
	if testing.Verbose() || os.Getenv("CONVENE_TEST_LOG") == "1" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	var sender mail.Sender = mail.LogSender{Logger: log}
	if cfg.SMTPURL != "" {
		sender = nil // the site sends through the SMTP server the test runs
	}
	st, err := convene.New(ctx, cfg, convene.Options{DB: db.DB, Clock: clk, Logger: log, HashCost: accounts.TestCost(),
		Sender: sender, Version: "test"})
	if err != nil {
		cancel()
		t.Fatalf("building the app: %v", err)
	}
	// The mail worker stays off: tests read links from the outbox before anything sends them.
	// The live hub runs, as in Run: with PostgreSQL it hears the other instances.
	go func() { _ = st.Web.App.Listener(ln) }()
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); _ = st.Hub.Run(ctx) }()
	t.Cleanup(func() { cancel(); _ = st.Web.App.ShutdownWithTimeout(5 * time.Second); <-hubDone })
	return &site{t: t, db: db, clock: clk, base: base, cfg: cfg, accounts: st.Accounts, srv: st.Web, app: st}
}

// user creates a verified account; admin makes it an admin.
func (s *site) user(email string, admin bool) accounts.Account {
	s.t.Helper()
	a, err := s.accounts.CreateAccount(context.Background(), s.db.DB, accounts.CreateInput{
		Email: email, Name: strings.Split(email, "@")[0], Password: "correct horse battery", Admin: admin})
	if err != nil {
		s.t.Fatalf("creating %s: %v", email, err)
	}
	return a
}

// count returns the number of rows of table.
func (s *site) count(table string) int {
	s.t.Helper()
	n, err := s.db.NewSelect().Table(table).Count(context.Background())
	if err != nil {
		s.t.Fatalf("counting %s: %v", table, err)
	}
	return int(n)
}

// client is one browser: its own cookie jar, no automatic redirects.
type client struct {
	t     testing.TB
	s     *site
	http  *http.Client
	token string // bearer token for API calls

	csrfToken, csrfFor string // the last token read, and the cookies it was for
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: s.t, s: s, http: &http.Client{
		Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
}

func (c *client) do(method, path string, body io.Reader, header map[string]string) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.s.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) *response { return c.do(http.MethodGet, path, nil, nil) }

// csrf returns this browser's CSRF token, as its pages carry it: tokens are bound to the
// login (or to the visitor cookie), so a new one is read after either changes.
func (c *client) csrf() string {
	c.t.Helper()
	u, _ := url.Parse(c.s.base)
	binding := ""
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "convene_login" || ck.Name == "convene_visitor" {
			binding += ck.Name + "=" + ck.Value + ";"
		}
	}
	if binding != "" && binding == c.csrfFor {
		return c.csrfToken
	}
	r := c.get("/signup")
	if r.status != http.StatusOK {
		r = c.get("/profile/")
	}
	m := csrfRE.FindStringSubmatch(r.body)
	if m == nil {
		c.t.Fatalf("no CSRF token on the page: %s", excerpt(r.body))
	}
	c.csrfToken, c.csrfFor = m[1], ""
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "convene_login" || ck.Name == "convene_visitor" {
			c.csrfFor += ck.Name + "=" + ck.Value + ";"
		}
	}
	return c.csrfToken
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// post sends a form with this browser's CSRF token.
func (c *client) post(path string, form url.Values) *response {
	c.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("_csrf") == "" {
		f.Set("_csrf", c.csrf())
	}
	return c.do(http.MethodPost, path, strings.NewReader(f.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

// api sends JSON (body may be "") with the client's token.
func (c *client) api(method, path, body string) *response {
	c.t.Helper()
	var r io.Reader
	h := map[string]string{"Accept": "application/json"}
	if body != "" {
		r = strings.NewReader(body)
		h["Content-Type"] = "application/json"
	}
	return c.do(method, path, r, h)
}

// signIn signs this browser in with the test password.
func (c *client) signIn(email string) {
	c.t.Helper()
	r := c.post("/signin", url.Values{"email": {email}, "password": {"correct horse battery"}})
	if r.status != http.StatusSeeOther {
		c.t.Fatalf("sign-in of %s: status %d: %s", email, r.status, excerpt(r.body))
	}
}

// as returns a client signed in as a new account of the given kind ("" for anonymous).
func (s *site) as(who string) *client {
	c := s.client()
	switch who {
	case "member":
		a := s.user("member@example.org", false)
		c.signIn(a.Email)
	case "admin":
		a := s.user("admin@example.org", true)
		c.signIn(a.Email)
	}
	return c
}

var tagRE = regexp.MustCompile(`\s+`)

// excerpt shortens a body for failure messages.
func excerpt(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// lockedBuffer is a buffer the site's goroutines may write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
