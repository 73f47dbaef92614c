package locale_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/frontend"
)

func TestLoadRealCatalogs(t *testing.T) {
	b, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatalf("loading the catalogs: %v", err)
	}
	if got := b.T("en", "nav.signin", nil); got != "Sign in" {
		t.Errorf(`T(en, nav.signin) = %q`, got)
	}
	if got := b.T("es", "nav.signin", nil); got != "Iniciar sesión" {
		t.Errorf(`T(es, nav.signin) = %q`, got)
	}
	if got := b.T("en", "error.reference", map[string]any{"ID": "abc"}); !strings.Contains(got, "abc") {
		t.Errorf("template data not applied: %q", got)
	}
	if got := b.T("en", "no.such.id", nil); got != "no.such.id" {
		t.Errorf("unknown id = %q, want the id back", got)
	}
}

func TestLoadRejectsUnevenCatalogs(t *testing.T) {
	cases := []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"missing in en", fstest.MapFS{
			"es/a.toml": {Data: []byte(`"x" = "equis"` + "\n" + `"y" = "ye"`)},
			"en/a.toml": {Data: []byte(`"x" = "ex"`)},
		}, `"y" is in es but not in en`},
		{"defined twice", fstest.MapFS{
			"es/a.toml": {Data: []byte(`"x" = "equis"`)},
			"es/b.toml": {Data: []byte(`"x" = "otra"`)},
			"en/a.toml": {Data: []byte(`"x" = "ex"`)},
		}, "defined twice"},
		{"no catalogs", fstest.MapFS{"es/a.toml": {Data: []byte(`"x" = "equis"`)}}, `no catalogs for language "en"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := locale.Load(c.fs)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	b, err := locale.Load(fstest.MapFS{
		"es/a.toml": {Data: []byte(`"x" = "equis"`)},
		"en/a.toml": {Data: []byte(`"x" = "ex"`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, account, cookie, accept, want string
	}{
		{"default", "", "", "", "es"},
		{"accept english", "", "", "en-GB,en;q=0.9", "en"},
		{"accept unsupported falls back", "", "", "fr-FR,de;q=0.8", "es"},
		{"accept prefers spanish variant", "", "", "es-MX,en;q=0.5", "es"},
		{"cookie beats accept", "", "en", "es-MX", "en"},
		{"account beats cookie", "es", "en", "en", "es"},
		{"bad cookie ignored", "", "xx", "en", "en"},
		{"malformed accept", "", "", ";;;", "es"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := b.Negotiate(c.account, c.cookie, c.accept); got != c.want {
				t.Fatalf("Negotiate(%q, %q, %q) = %q, want %q", c.account, c.cookie, c.accept, got, c.want)
			}
		})
	}
}

// TestDateTime: an instant in mail names its zone as people know it, with its offset, never
// the database's name for it.
func TestDateTime(t *testing.T) {
	b, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 17, 16, 0, 0, 0, time.UTC)
	for lang, want := range map[string]string{"es": "jueves 17 de diciembre de 2026, 10:00 (Ciudad de México, UTC−06:00)",
		"en": "10:00 (Mexico City, UTC−06:00)"} {
		if got := b.DateTime(lang, at, zone); !strings.Contains(got, want) || strings.Contains(got, "America/") {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := b.DateTime("es", at, time.FixedZone("Etc/GMT+5", -5*3600)); !strings.Contains(got, "UTC−05:00") {
		t.Errorf("a zone without a name: %q", got)
	}
}

// TestOneOfMany: a message that counts says one thing for one, whatever its value is called: a
// count of 1 once came back as the message's id.
func TestOneOfMany(t *testing.T) {
	b, err := locale.Load(frontend.Locales())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{1, 3} {
		for _, key := range []string{"N", "Count"} {
			if got := b.T("es", "admin.accounts_total", map[string]any{"N": n, key: n}); got == "admin.accounts_total" {
				t.Errorf("%s=%d: the id came back", key, n)
			}
		}
	}
	if got := b.T("es", "error.forum_sessions_outside", map[string]any{"Count": 1}); !strings.HasPrefix(got, "Una sesión quedaría") {
		t.Errorf("one session outside: %q", got)
	}
}
