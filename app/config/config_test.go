package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(env map[string]string, args ...string) (Config, error) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	l := NewLoader(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	return l.Load()
}

func TestDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "sqlite:./convene-data/convene.db" || c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" ||
		!c.AutoMigrate || c.Secure() || c.RateSignIn != (Rate{600, 10 * time.Minute}) {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"database scheme", map[string]string{"CONVENE_DATABASE_URL": "mysql://x"}, nil, "CONVENE_DATABASE_URL"},
		{"empty sqlite path", map[string]string{"CONVENE_DATABASE_URL": "sqlite:"}, nil, "CONVENE_DATABASE_URL"},
		{"address", map[string]string{"CONVENE_ADDR": "8080"}, nil, "CONVENE_ADDR"},
		{"address flag", nil, []string{"--addr", "nope"}, "--addr"},
		{"base url", map[string]string{"CONVENE_BASE_URL": "ftp://x"}, nil, "CONVENE_BASE_URL"},
		{"smtp scheme", map[string]string{"CONVENE_SMTP_URL": "http://mail"}, nil, "CONVENE_SMTP_URL"},
		{"smtp tls", map[string]string{"CONVENE_SMTP_URL": "smtp://mail?tls=maybe"}, nil, "CONVENE_SMTP_URL"},
		{"log format", map[string]string{"CONVENE_LOG_FORMAT": "xml"}, nil, "CONVENE_LOG_FORMAT"},
		{"proxies", map[string]string{"CONVENE_TRUSTED_PROXIES": "10.0.0.1,not-an-ip"}, nil, "CONVENE_TRUSTED_PROXIES"},
		{"migrate", map[string]string{"CONVENE_MIGRATE": "perhaps"}, nil, "CONVENE_MIGRATE"},
		{"pool", map[string]string{"CONVENE_DB_MAX_CONNS": "0"}, nil, "CONVENE_DB_MAX_CONNS"},
		{"rate", map[string]string{"CONVENE_RATE_SIGNIN": "lots"}, nil, "CONVENE_RATE_SIGNIN"},
		{"duration", map[string]string{"CONVENE_LOGIN_IDLE": "-1h"}, nil, "CONVENE_LOGIN_IDLE"},
		{"idle above absolute", map[string]string{"CONVENE_LOGIN_IDLE": "48h", "CONVENE_LOGIN_ABSOLUTE": "24h"}, nil, "CONVENE_LOGIN_IDLE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(tc.env, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestFlagsBeatEnvironment(t *testing.T) {
	c, err := load(map[string]string{"CONVENE_ADDR": "127.0.0.1:1", "CONVENE_BASE_URL": "https://consulta.example.org/",
		"CONVENE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1"}, "--addr", "0.0.0.0:9000")
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" || c.BaseURL != "https://consulta.example.org" || !c.Secure() || len(c.TrustedProxies) != 2 ||
		c.TrustedProxies[1].String() != "192.168.1.1/32" {
		t.Fatalf("%+v", c)
	}
}

func TestParseSMTPURL(t *testing.T) {
	cases := []struct {
		in   string
		want SMTP
		bad  bool
	}{
		{"smtp://mail.example.org", SMTP{Host: "mail.example.org", Port: 587, TLS: "starttls"}, false},
		{"smtp://u:p%40ss@mail.example.org:2525?tls=none", SMTP{Host: "mail.example.org", Port: 2525, Username: "u", Password: "p@ss", TLS: "none"}, false},
		{"smtp://mail.example.org?tls=tls", SMTP{Host: "mail.example.org", Port: 465, TLS: "tls"}, false},
		{"smtp://:25", SMTP{}, true},
		{"smtp://mail:99999", SMTP{}, true},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSMTPURL(tc.in)
			if (err != nil) != tc.bad || (!tc.bad && got != tc.want) {
				t.Fatalf("ParseSMTPURL = %+v, %v", got, err)
			}
		})
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"10/1m", "0/1s", "5/-1h", "x/y", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err == nil && (r.Max < 1 || r.Window <= 0) {
			t.Fatalf("ParseRate(%q) accepted %+v", s, r)
		}
	})
}
