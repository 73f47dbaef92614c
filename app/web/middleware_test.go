package web

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                      "/",
		"/profile/":             "/profile/",
		"/processes/x?lang=en":  "/processes/x?lang=en",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"javascript:alert(1)":   "/",
		// Browsers drop tabs and line breaks and read "\\" as "/": each of these is //evil.example.
		"/\t/evil.example":   "/",
		"/\n/evil.example":   "/",
		"/\r/evil.example":   "/",
		"/\\/evil.example":   "/",
		"/%2F/evil.example":  "/",
		"/\x00/evil.example": "/",
		"/ok\u2028":          "/",
	}
	for in, want := range cases {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "http://x", "/a/b?c=d"} {
		f.Add(s)
	}
	f.Add("/\t/evil.example")
	f.Add("/\\\\evil.example")
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		// What a browser makes of it: tabs and line breaks dropped, backslashes as slashes.
		seen := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		u, err := url.Parse(seen)
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") || err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the site", s, got)
		}
	})
}

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	s := &Server{proxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}}
	cases := []struct {
		ip   string
		want bool
	}{
		{"10.1.2.3", true},
		{"127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"127.0.0.2", false},
		{"192.168.1.1", false},
		{"not-an-ip", false},
	}
	for _, tc := range cases {
		if got := s.proxies.Trusted(tc.ip); got != tc.want {
			t.Errorf("trusted(%q) = %v", tc.ip, got)
		}
	}
}
