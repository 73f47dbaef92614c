package mail_test

import (
	"context"
	"errors"
	"testing"

	"github.com/convene/convene/app/config"
	"github.com/convene/convene/app/mail"
)

func TestNewSMTPSenderSettings(t *testing.T) {
	cases := []struct {
		name string
		cfg  config.SMTP
		ok   bool
	}{
		{"starttls with a password", config.SMTP{Host: "mail.example.org", Port: 587, Username: "u", Password: "p", TLS: "starttls"}, true},
		{"implicit TLS with a password", config.SMTP{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", TLS: "tls"}, true},
		{"no TLS, no password", config.SMTP{Host: "mail.example.org", Port: 25, TLS: "none"}, true},
		{"no TLS, password to the local machine", config.SMTP{Host: "127.0.0.1", Port: 25, Username: "u", Password: "p", TLS: "none"}, true},
		{"no TLS, password to localhost", config.SMTP{Host: "localhost", Port: 25, Username: "u", Password: "p", TLS: "none"}, true},
		{"no TLS, password across the network", config.SMTP{Host: "mail.example.org", Port: 25, Username: "u", Password: "p", TLS: "none"}, false},
		{"unknown TLS mode", config.SMTP{Host: "mail.example.org", Port: 25, TLS: "ssl"}, false},
		{"no host", config.SMTP{Port: 25, TLS: "none"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mail.NewSMTPSender(tc.cfg)
			if (err == nil) != tc.ok {
				t.Fatalf("NewSMTPSender(%+v) = %v, want ok %v", tc.cfg, err, tc.ok)
			}
		})
	}
}

// TestSMTPModes sends through each TLS mode and sign-in mechanism to a real server, and checks
// that nothing goes out in clear when TLS is asked for and the server cannot do it.
func TestSMTPModes(t *testing.T) {
	serverTLS, clientTLS := testCA(t)
	cases := []struct {
		name     string
		server   serverOptions
		userinfo string
		query    string
		wantTLS  bool
		wantUser string
		fails    bool
	}{
		{name: "starttls, PLAIN", server: serverOptions{starttls: serverTLS, mechs: []string{"PLAIN", "LOGIN"}, user: "convene", pass: "s3cret"},
			userinfo: "convene:s3cret@", query: "tls=starttls", wantTLS: true, wantUser: "convene"},
		{name: "implicit TLS, LOGIN only", server: serverOptions{implicit: serverTLS, mechs: []string{"LOGIN"}, user: "convene", pass: "s3cret"},
			userinfo: "convene:s3cret@", query: "tls=tls", wantTLS: true, wantUser: "convene"},
		{name: "no TLS to the local machine, PLAIN", server: serverOptions{mechs: []string{"PLAIN"}, user: "convene", pass: "s3cret"},
			userinfo: "convene:s3cret@", query: "tls=none", wantUser: "convene"},
		{name: "no TLS, no sign-in", query: "tls=none"},
		{name: "starttls required, server cannot", server: serverOptions{mechs: []string{"PLAIN"}, user: "convene", pass: "s3cret"},
			userinfo: "convene:s3cret@", query: "tls=starttls", fails: true},
		{name: "implicit TLS, server speaks plain SMTP", query: "tls=tls", fails: true},
		{name: "wrong password", server: serverOptions{starttls: serverTLS, mechs: []string{"PLAIN"}, user: "convene", pass: "s3cret"},
			userinfo: "convene:wrong@", query: "tls=starttls", fails: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := startSMTP(t, tc.server)
			snd := smtpSender(t, srv.addr, tc.userinfo, tc.query)
			snd.TrustForTest(clientTLS.Clone())
			m := mail.Message{To: "ana@example.org", Language: "es", Subject: "Prueba", Text: "Hola", HTML: "<p>Hola</p>"}
			err := snd.Send(context.Background(), from, m)
			if tc.fails {
				var perm mail.Permanent
				if err == nil || errors.As(err, &perm) || len(srv.messages()) != 0 {
					t.Fatalf("Send = %v (want a retryable error), server got %d messages", err, len(srv.messages()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := srv.messages()
			if len(got) != 1 || got[0].TLS != tc.wantTLS || got[0].User != tc.wantUser {
				t.Fatalf("server got %+v", got)
			}
		})
	}
}

// TestSMTPSenderErrors checks how server answers map to retry or give up, on the sender alone.
func TestSMTPSenderErrors(t *testing.T) {
	srv := startSMTP(t, serverOptions{})
	snd := smtpSender(t, srv.addr, "", "tls=none")
	ctx := context.Background()
	m := mail.Message{To: "ana@example.org", Language: "es", Subject: "Prueba", Text: "Hola"}
	if err := snd.Send(ctx, "not an address", m); err == nil || errors.As(err, new(mail.Permanent)) {
		t.Fatalf("bad sender address: %v, want a retryable error (a settings problem)", err)
	}
	if err := snd.Send(ctx, from, mail.Message{To: "nobody", Subject: "x", Text: "x"}); !errors.As(err, new(mail.Permanent)) {
		t.Fatalf("bad recipient: %v, want Permanent", err)
	}
	if len(srv.messages()) != 0 {
		t.Fatal("a message went out")
	}
}
