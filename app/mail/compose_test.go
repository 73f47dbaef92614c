package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/convene/convene/app/clock"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/mail"
	"github.com/convene/convene/app/store/storetest"
	"github.com/convene/convene/frontend"
)

// The lead's bundle is what serve hands to Outbox.
var _ mail.Translator = (*locale.Bundle)(nil)

// catalogs is a Translator over the real mail catalogs, read with go-i18n directly, so these
// tests check the files themselves.
type catalogs struct {
	localizers map[string]*i18n.Localizer
	ids        map[string][]string // language → sorted message ids
}

var languages = []string{"es", "en"}

func loadCatalogs(t *testing.T) *catalogs {
	t.Helper()
	b := i18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalogs{localizers: map[string]*i18n.Localizer{}, ids: map[string][]string{}}
	for _, lang := range languages {
		data, err := fs.ReadFile(frontend.Locales(), lang+"/mail.toml")
		if err != nil {
			t.Fatal(err)
		}
		mf, err := b.ParseMessageFileBytes(data, "mail."+lang+".toml")
		if err != nil {
			t.Fatalf("%s/mail.toml: %v", lang, err)
		}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
		}
		slices.Sort(c.ids[lang])
		c.localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	return c
}

// T renders id strictly: a message missing in lang comes back as its id, not in another language.
func (c *catalogs) T(lang, id string, data map[string]any) string {
	s, err := c.localizers[lang].Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// kinds lists every kind of mail with the data its callers pass.
var kinds = []struct {
	kind string
	data map[string]any
}{
	{"verify_email", map[string]any{"Name": "Ana Pérez", "Link": "https://convene.example/verify/tok1", "Hours": 48}},
	{"password_reset", map[string]any{"Name": "Ana Pérez", "Link": "https://convene.example/reset/tok2", "Minutes": 60}},
	{"account_exists", map[string]any{"Name": "Ana Pérez", "SignInLink": "https://convene.example/signin", "ResetLink": "https://convene.example/reset"}},
	{"password_changed", map[string]any{"Name": "Ana Pérez", "ResetLink": "https://convene.example/reset"}},
	{"moderator_invitation", map[string]any{"Session": "Panel: sociedad", "Forum": "Foro CDMX", "When": "2027-03-04 10:00 (America/Mexico_City)",
		"Link": "https://convene.example/invitations/tok3", "Days": 30}},
	{"rapporteur_invitation", map[string]any{"Session": "Panel: sociedad", "Forum": "Foro CDMX", "When": "2027-03-04 10:00 (America/Mexico_City)",
		"Link": "https://convene.example/invitations/tok4", "Days": 30}},
}

func TestCatalogs(t *testing.T) {
	c := loadCatalogs(t)
	if !slices.Equal(c.ids["es"], c.ids["en"]) {
		t.Fatalf("es and en mail catalogs differ:\nes %v\nen %v", c.ids["es"], c.ids["en"])
	}
	want := []string{"mail.signature"}
	for _, k := range kinds {
		want = append(want, "mail."+k.kind+".subject", "mail."+k.kind+".body")
	}
	slices.Sort(want)
	if !slices.Equal(c.ids["es"], want) {
		t.Fatalf("catalog ids %v, want exactly %v (a new kind needs a case in kinds)", c.ids["es"], want)
	}
	rendered := func(t *testing.T, lang, id string, data map[string]any) string {
		t.Helper()
		s := c.T(lang, id, data)
		if s == id || strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
			t.Fatalf("%s %s renders as %q", lang, id, s)
		}
		for k, v := range data {
			if !strings.Contains(s, fmt.Sprint(v)) {
				t.Errorf("%s %s does not use %s: %q", lang, id, k, s)
			}
		}
		return s
	}
	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			bodies := map[string]string{}
			for _, lang := range languages {
				subject := rendered(t, lang, "mail."+k.kind+".subject", nil)
				if strings.ContainsAny(subject, "\r\n") || utf8.RuneCountInString(subject) > 120 {
					t.Errorf("%s subject %q: want one short line", lang, subject)
				}
				bodies[lang] = rendered(t, lang, "mail."+k.kind+".body", k.data)
			}
			if bodies["es"] == bodies["en"] {
				t.Errorf("body not translated: %q", bodies["es"])
			}
		})
	}
	t.Run("signature", func(t *testing.T) {
		for _, lang := range languages {
			rendered(t, lang, "mail.signature", map[string]any{"SiteName": "Convene"})
		}
	})
}

func TestNotify(t *testing.T) {
	c := loadCatalogs(t)
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(t0)
		woken := 0
		o := &mail.Outbox{Translator: c, Clock: clk, SiteName: "Foro Abierto", Wake: func() { woken++ }}
		for _, k := range kinds {
			texts := map[string]string{}
			for _, lang := range languages {
				t.Run(lang+" "+k.kind, func(t *testing.T) {
					to := lang + "." + k.kind + "@example.org"
					if err := o.Notify(ctx, db.DB, to, lang, k.kind, k.data); err != nil {
						t.Fatal(err)
					}
					m, err := mail.Latest(ctx, db.DB, to)
					if err != nil {
						t.Fatal(err)
					}
					// What a reader gets: to whom, in which language, a subject of one line, the
					// body with everything it was given, and the signature after the "-- " line
					// mail programs recognise.
					if m.To != to || m.Language != lang || m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n{}") ||
						strings.HasPrefix(m.Subject, "mail.") {
						t.Fatalf("queued to %q in %q with subject %q", m.To, m.Language, m.Subject)
					}
					body, signature, ok := strings.Cut(m.Text, "\n\n-- \n")
					if !ok || !strings.Contains(signature, "Foro Abierto") || strings.Contains(signature, "\n-- \n") {
						t.Fatalf("no signature after a lone \"-- \" line:\n%s", m.Text)
					}
					for key, v := range k.data {
						if !strings.Contains(body, fmt.Sprint(v)) {
							t.Errorf("the body does not give %s (%v):\n%s", key, v, body)
						}
					}
					if strings.Contains(body, "{{") || strings.Contains(body, "<no value>") {
						t.Errorf("the body holds template text:\n%s", body)
					}
					frags := []string{`<html lang="` + lang + `">`, "<title>" + m.Subject + "</title>", "Foro Abierto"}
					if name, ok := k.data["Name"].(string); ok {
						frags = append(frags, name)
					}
					for _, frag := range frags {
						if !strings.Contains(m.HTML, frag) {
							t.Errorf("HTML lacks %q:\n%s", frag, m.HTML)
						}
					}
					for key, v := range k.data {
						if s, ok := v.(string); ok && strings.HasPrefix(s, "https://") && !strings.Contains(m.HTML, `<a href="`+s+`">`+s+`</a>`) {
							t.Errorf("HTML does not link %s:\n%s", key, m.HTML)
						}
					}
					texts[lang] = m.Text
				})
			}
			if texts["es"] == texts["en"] {
				t.Errorf("%s: the same text in es and en", k.kind)
			}
		}
		if woken != len(kinds)*len(languages) {
			t.Fatalf("Wake called %d times, want %d", woken, len(kinds)*len(languages))
		}
	})
}

func TestNotifyRefuses(t *testing.T) {
	c := loadCatalogs(t)
	cases := []struct {
		name, to, kind string
		want           error
	}{
		{"unknown kind", "ana@example.org", "no_such_kind", mail.ErrUnknownKind},
		{"bad address", "ana(at)example.org", "verify_email", mail.ErrInvalidMessage},
	}
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				woken := false
				o := &mail.Outbox{Translator: c, Clock: clock.NewFixed(t0), SiteName: "Convene", Wake: func() { woken = true }}
				err := o.Notify(context.Background(), db.DB, tc.to, "es", tc.kind, kinds[0].data)
				if !errors.Is(err, tc.want) || woken || count(t, db.DB, "1 = 1") != 0 {
					t.Fatalf("Notify = %v (want %v), woken %v, %d rows", err, tc.want, woken, count(t, db.DB, "1 = 1"))
				}
			})
		}
	})
}

// TestNotifyWithoutWake: Wake is optional.
func TestNotifyWithoutWake(t *testing.T) {
	c := loadCatalogs(t)
	storetest.Each(t, func(t *testing.T, db *storetest.DB) {
		o := &mail.Outbox{Translator: c, Clock: clock.NewFixed(t0.Add(time.Minute)), SiteName: "Convene"}
		if err := o.Notify(context.Background(), db.DB, "ana@example.org", "en", kinds[3].kind, kinds[3].data); err != nil {
			t.Fatal(err)
		}
		if count(t, db.DB, "1 = 1") != 1 {
			t.Fatal("not queued")
		}
	})
}

func TestTextToHTML(t *testing.T) {
	cases := []struct {
		name, lang, text string
		want             []string // fragments of the result
		absent           []string
	}{
		{"escaped", "es", "a < b & \"c\" > d <script>alert(1)</script>",
			[]string{"<p>a &lt; b &amp; &#34;c&#34; &gt; d &lt;script&gt;alert(1)&lt;/script&gt;</p>"}, []string{"<script>"}},
		{"paragraphs and line breaks", "en", "one\ntwo\n\n\n\nthree\n",
			[]string{"<p>one<br>\ntwo</p>\n<p>three</p>"}, []string{"<p></p>"}},
		{"link with a query, full stop left out", "en", "Open https://c.example/v/a?x=1&y=2.",
			[]string{`Open <a href="https://c.example/v/a?x=1&amp;y=2">https://c.example/v/a?x=1&amp;y=2</a>.`}, nil},
		{"link in quotes and brackets", "en", `"https://c.example/a" (https://c.example/b)`,
			[]string{`&#34;<a href="https://c.example/a">https://c.example/a</a>&#34;`, `(<a href="https://c.example/b">https://c.example/b</a>)`}, nil},
		{"only http and https become links", "en", "javascript:alert(1) ftp://c.example",
			[]string{"javascript:alert(1) ftp://c.example"}, []string{"<a "}},
		{"non-ASCII intact", "es", "Año: ñandú, acción — https://c.example/ñ",
			[]string{`Año: ñandú, acción — <a href="https://c.example/ñ">https://c.example/ñ</a>`}, nil},
		{"language attribute escaped", `es"><b`, "x", []string{`lang="es&#34;&gt;&lt;b"`}, []string{`"><b`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := mail.TextToHTML(tc.lang, "Título <1>", tc.text)
			if !strings.HasPrefix(got, `<!DOCTYPE html><html lang="`) || !strings.Contains(got, "<title>Título &lt;1&gt;</title>") ||
				!strings.HasSuffix(got, "</body></html>\n") {
				t.Errorf("document frame: %s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %q:\n%s", w, got)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("has %q:\n%s", a, got)
				}
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	cases := []struct {
		attempts int
		base     time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{12, time.Hour},
		{1000, time.Hour},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.attempts), func(t *testing.T) {
			lo, hi := tc.base*8/10, tc.base*12/10
			for range 200 {
				if d := mail.Backoff(tc.attempts); d < lo || d > hi {
					t.Fatalf("backoff(%d) = %s, want %s to %s", tc.attempts, d, lo, hi)
				}
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"abcdef", 3, "abc"},
		{"ñññ", 3, "ñ"}, // never half a character
		{"ñññ", 4, "ññ"},
	}
	for _, tc := range cases {
		if got := mail.Truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
