// Package config reads Convene's settings once, at start: from CONVENE_* environment variables,
// then from command-line flags, which win. A bad value stops start-up with a message naming the
// variable.
package config

import (
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Rate is a limit of Max events per Window.
type Rate struct {
	Max    int
	Window time.Duration
}

func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Max, r.Window) }

// ParseRate reads "N/duration", e.g. "10/1m".
func ParseRate(s string) (Rate, error) {
	n, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, errors.New(`want "COUNT/DURATION", e.g. "10/1m"`)
	}
	max, err := strconv.Atoi(n)
	if err != nil || max < 1 {
		return Rate{}, errors.New("count must be a whole number of at least 1")
	}
	window, err := time.ParseDuration(w)
	if err != nil || window <= 0 {
		return Rate{}, errors.New("duration must be positive, e.g. 1m or 1h")
	}
	return Rate{Max: max, Window: window}, nil
}

// Config is every setting of a running Convene.
type Config struct {
	DatabaseURL    string
	Addr           string
	BaseURL        string
	SMTPURL        string
	MailFrom       string
	LogFormat      string
	LogLevel       string
	TrustedProxies []netip.Prefix
	AutoMigrate    bool
	DBMaxConns     int

	LoginIdle     time.Duration
	LoginAbsolute time.Duration

	RateSignIn Rate
	RateSignUp Rate
	RateReset  Rate
	RateAPI    Rate
	// RateRegister limits registration changes (register, cancel, change mode) per account;
	// RateGuest those of guests, per address, which a whole venue may share.
	RateRegister Rate
	RateGuest    Rate
	// RateRecipient limits the guest registrations (each a mail) asked for one address, by
	// anyone: a mailbox cannot be flooded from many addresses.
	RateRecipient Rate
	// RateMessage limits organisers' messages to registrants, per account.
	RateMessage Rate
	// RateQuestion limits questions asked, RateVote votes and reports, per person (account or
	// anonymous device), over forms, the API and the live socket alike.
	RateQuestion Rate
	RateVote     Rate
	// RateMinutes limits saves of minutes (drafts save as the rapporteur types), proposed
	// corrections, their answers and dispositions, per account.
	RateMinutes Rate
	// RateComment limits comments and replies on a draft, per account; RateMark supports, flags
	// and agree / disagree marks, per account.
	RateComment Rate
	RateMark    Rate

	// SecretKey signs CSRF tokens and device cookies. Empty: a key generated into the database
	// on first start, which every instance then shares.
	SecretKey []byte
	// MetricsAddr serves /metrics on a separate address (e.g. 127.0.0.1:9090) instead of the
	// site; MetricsToken, when set, is the bearer token /metrics asks for. With neither, /metrics
	// answers loopback clients only.
	MetricsAddr  string
	MetricsToken string

	ShutdownTimeout time.Duration
}

// setting describes one variable: its environment name, flag name, help and how to read it.
type setting struct {
	env, flag, def, help string
	set                  func(c *Config, v string) error
}

func settings() []setting {
	return []setting{
		{"CONVENE_DATABASE_URL", "database-url", "sqlite:./convene-data/convene.db", "postgres://... or sqlite:PATH",
			func(c *Config, v string) error { c.DatabaseURL = v; return validateDatabaseURL(v) }},
		{"CONVENE_ADDR", "addr", "127.0.0.1:8080", "address to listen on",
			func(c *Config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("want HOST:PORT: %w", err)
				}
				c.Addr = v
				return nil
			}},
		{"CONVENE_BASE_URL", "base-url", "", "public URL of the site (default http://ADDR); https turns on HSTS and __Host- cookies",
			func(c *Config, v string) error { c.BaseURL = strings.TrimRight(v, "/"); return nil }},
		{"CONVENE_SMTP_URL", "smtp-url", "", "smtp://user:pass@host:port?tls=starttls|tls|none (unset: mail is written to the log)",
			func(c *Config, v string) error {
				c.SMTPURL = v
				if v == "" {
					return nil
				}
				_, err := ParseSMTPURL(v)
				return err
			}},
		{"CONVENE_MAIL_FROM", "mail-from", "Convene <convene@localhost>", "sender of outgoing mail",
			func(c *Config, v string) error {
				if !strings.Contains(v, "@") {
					return errors.New("want an email address")
				}
				c.MailFrom = v
				return nil
			}},
		{"CONVENE_LOG_FORMAT", "log-format", "text", "text or json",
			func(c *Config, v string) error {
				if v != "text" && v != "json" {
					return errors.New(`want "text" or "json"`)
				}
				c.LogFormat = v
				return nil
			}},
		{"CONVENE_LOG_LEVEL", "log-level", "info", "debug, info, warn or error",
			func(c *Config, v string) error {
				switch v {
				case "debug", "info", "warn", "error":
					c.LogLevel = v
					return nil
				}
				return errors.New(`want debug, info, warn or error`)
			}},
		{"CONVENE_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated addresses or CIDRs whose X-Forwarded-* headers are believed",
			func(c *Config, v string) error {
				c.TrustedProxies = nil
				for _, part := range strings.Split(v, ",") {
					part = strings.TrimSpace(part)
					if part == "" {
						continue
					}
					p, err := netip.ParsePrefix(part)
					if err != nil {
						a, aerr := netip.ParseAddr(part)
						if aerr != nil {
							return fmt.Errorf("%q is neither an address nor a CIDR", part)
						}
						p = netip.PrefixFrom(a, a.BitLen())
					}
					c.TrustedProxies = append(c.TrustedProxies, p)
				}
				return nil
			}},
		{"CONVENE_MIGRATE", "migrate", "true", "run pending migrations when serve starts",
			func(c *Config, v string) (err error) { c.AutoMigrate, err = strconv.ParseBool(v); return }},
		{"CONVENE_DB_MAX_CONNS", "db-max-conns", "10", "largest number of open database connections",
			func(c *Config, v string) error {
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 500 {
					return errors.New("want a whole number from 1 to 500")
				}
				c.DBMaxConns = n
				return nil
			}},
		{"CONVENE_LOGIN_IDLE", "login-idle", "8h", "a login ends after this long without use",
			durationSetter(func(c *Config) *time.Duration { return &c.LoginIdle })},
		{"CONVENE_LOGIN_ABSOLUTE", "login-absolute", "168h", "a login ends this long after sign-in, used or not",
			durationSetter(func(c *Config) *time.Duration { return &c.LoginAbsolute })},
		// Per-address limits fit a venue whose whole audience shares one address; guessing one
		// account's password is slowed per account instead (accounts' sign-in throttling).
		{"CONVENE_RATE_SIGNIN", "rate-signin", "600/10m", "sign-in attempts per address",
			rateSetter(func(c *Config) *Rate { return &c.RateSignIn })},
		{"CONVENE_RATE_SIGNUP", "rate-signup", "300/1h", "sign-ups per address",
			rateSetter(func(c *Config) *Rate { return &c.RateSignUp })},
		{"CONVENE_RATE_RESET", "rate-reset", "100/1h", "password reset and confirmation requests per address",
			rateSetter(func(c *Config) *Rate { return &c.RateReset })},
		{"CONVENE_RATE_API", "rate-api", "600/1m", "API writes per token or address",
			rateSetter(func(c *Config) *Rate { return &c.RateAPI })},
		{"CONVENE_RATE_REGISTER", "rate-register", "30/1h", "registration changes per account",
			rateSetter(func(c *Config) *Rate { return &c.RateRegister })},
		{"CONVENE_RATE_GUEST", "rate-guest", "600/1h", "guest registrations and their changes per address",
			rateSetter(func(c *Config) *Rate { return &c.RateGuest })},
		{"CONVENE_RATE_RECIPIENT", "rate-recipient", "10/1h", "guest registrations asked for one email address",
			rateSetter(func(c *Config) *Rate { return &c.RateRecipient })},
		{"CONVENE_RATE_MESSAGE", "rate-message", "20/1h", "organisers' messages to registrants per account",
			rateSetter(func(c *Config) *Rate { return &c.RateMessage })},
		{"CONVENE_RATE_QUESTION", "rate-question", "10/10m", "live questions asked per person",
			rateSetter(func(c *Config) *Rate { return &c.RateQuestion })},
		{"CONVENE_RATE_VOTE", "rate-vote", "120/1m", "live votes and reports per person",
			rateSetter(func(c *Config) *Rate { return &c.RateVote })},
		{"CONVENE_RATE_MINUTES", "rate-minutes", "600/10m", "saves of minutes, proposed corrections and dispositions per account",
			rateSetter(func(c *Config) *Rate { return &c.RateMinutes })},
		{"CONVENE_RATE_COMMENT", "rate-comment", "20/10m", "comments and replies on a draft per account",
			rateSetter(func(c *Config) *Rate { return &c.RateComment })},
		{"CONVENE_RATE_MARK", "rate-mark", "600/10m", "supports, flags and paragraph marks per account",
			rateSetter(func(c *Config) *Rate { return &c.RateMark })},
		{"CONVENE_SECRET_KEY", "secret-key", "", "at least 32 random bytes, base64 (unset: generated into the database)",
			func(c *Config, v string) error {
				if v == "" {
					return nil
				}
				k, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					k, err = base64.RawURLEncoding.DecodeString(v)
				}
				if err != nil || len(k) < 32 {
					return errors.New("want at least 32 bytes in base64, e.g. from: head -c 32 /dev/urandom | base64")
				}
				c.SecretKey = k
				return nil
			}},
		{"CONVENE_METRICS_ADDR", "metrics-addr", "", "serve /metrics on this HOST:PORT instead of the site",
			func(c *Config, v string) error {
				if v != "" {
					if _, _, err := net.SplitHostPort(v); err != nil {
						return fmt.Errorf("want HOST:PORT: %w", err)
					}
				}
				c.MetricsAddr = v
				return nil
			}},
		{"CONVENE_METRICS_TOKEN", "metrics-token", "", "bearer token that /metrics asks for (unset: loopback clients only)",
			func(c *Config, v string) error { c.MetricsToken = v; return nil }},
		{"CONVENE_SHUTDOWN_TIMEOUT", "shutdown-timeout", "15s", "how long serve waits for requests in flight on SIGTERM",
			durationSetter(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	}
}

func durationSetter(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("want a positive duration, e.g. 30m or 12h")
		}
		*field(c) = d
		return nil
	}
}

func rateSetter(field func(*Config) *Rate) func(*Config, string) error {
	return func(c *Config, v string) error {
		r, err := ParseRate(v)
		if err != nil {
			return err
		}
		*field(c) = r
		return nil
	}
}

// Loader reads the settings for one command: it registers a flag for every setting on fs,
// and Load then combines defaults, environment and flags.
type Loader struct {
	fs     *flag.FlagSet
	values map[string]*string
	getenv func(string) string
}

// NewLoader registers a flag for every setting on fs. getenv is os.Getenv in main.
func NewLoader(fs *flag.FlagSet, getenv func(string) string) *Loader {
	l := &Loader{fs: fs, values: map[string]*string{}, getenv: getenv}
	for _, s := range settings() {
		l.values[s.env] = fs.String(s.flag, "", fmt.Sprintf("%s (env %s, default %q)", s.help, s.env, s.def))
	}
	return l
}

// Load returns the validated configuration. Call it after fs.Parse.
func (l *Loader) Load() (Config, error) {
	var c Config
	var errs []error
	for _, s := range settings() {
		v, source := s.def, s.env
		if e := l.getenv(s.env); e != "" {
			v = e
		}
		if f := *l.values[s.env]; f != "" {
			v, source = f, "--"+s.flag
		}
		if err := s.set(&c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", source, v, err))
		}
	}
	if len(errs) > 0 {
		return c, errors.Join(errs...)
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("CONVENE_BASE_URL=%q: want an absolute http or https URL", c.BaseURL)
	}
	if c.LoginIdle > c.LoginAbsolute {
		return c, fmt.Errorf("CONVENE_LOGIN_IDLE (%s) must not exceed CONVENE_LOGIN_ABSOLUTE (%s)", c.LoginIdle, c.LoginAbsolute)
	}
	return c, nil
}

// Secure reports whether the site is served over https, which turns on HSTS and __Host- cookies.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

func validateDatabaseURL(v string) error {
	switch {
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		if _, err := url.Parse(v); err != nil {
			return fmt.Errorf("not a valid URL: %w", err)
		}
		return nil
	case strings.HasPrefix(v, "sqlite:"):
		if strings.TrimPrefix(v, "sqlite:") == "" {
			return errors.New("sqlite: needs a file path, e.g. sqlite:./convene-data/convene.db")
		}
		return nil
	}
	return errors.New("want postgres://... or sqlite:PATH")
}

// RedactURL hides the password of a URL, for logs and messages.
func RedactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// SMTP is a parsed CONVENE_SMTP_URL.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string // starttls, tls or none
}

// ParseSMTPURL reads smtp://user:pass@host:port?tls=starttls|tls|none.
func ParseSMTPURL(v string) (SMTP, error) {
	u, err := url.Parse(v)
	if err != nil {
		return SMTP{}, fmt.Errorf("not a valid URL: %w", err)
	}
	if u.Scheme != "smtp" {
		return SMTP{}, errors.New(`scheme must be "smtp"`)
	}
	s := SMTP{Host: u.Hostname(), TLS: "starttls"}
	if s.Host == "" {
		return SMTP{}, errors.New("host is missing")
	}
	if t := u.Query().Get("tls"); t != "" {
		if t != "starttls" && t != "tls" && t != "none" {
			return SMTP{}, errors.New("tls must be starttls, tls or none")
		}
		s.TLS = t
	}
	s.Port = 587
	if s.TLS == "tls" {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		if s.Port, err = strconv.Atoi(p); err != nil || s.Port < 1 || s.Port > 65535 {
			return SMTP{}, errors.New("port must be 1 to 65535")
		}
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
