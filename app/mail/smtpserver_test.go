package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server got it.
type received struct {
	From, To string // envelope
	Raw      string
	TLS      bool
	User     string // who signed in, if anyone
}

// smtpServer is a real SMTP server on loopback (go-smtp) that keeps what it receives and can
// be told to refuse.
type smtpServer struct {
	addr string

	mu       sync.Mutex
	received []received
	dataSeen int             // DATA transfers, accepted or not
	refuse   int             // refuse this many DATA transfers with dataErr
	dataErr  *smtp.SMTPError // default 451
	mailErr  *smtp.SMTPError // answer to every MAIL FROM, when set
	rcptErr  *smtp.SMTPError // answer to every RCPT TO, when set
	mechs    []string        // AUTH mechanisms offered: PLAIN, LOGIN
	delay    time.Duration   // how long DATA takes to answer, like a slow server
	user     string
	pass     string
}

type serverOptions struct {
	addr     string      // default 127.0.0.1:0
	starttls *tls.Config // offer STARTTLS
	implicit *tls.Config // speak TLS from the start
	mechs    []string
	user     string
	pass     string
	hangUp   bool // drop the connection right after accepting a message
}

func startSMTP(t *testing.T, o serverOptions) *smtpServer {
	t.Helper()
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{addr: ln.Addr().String(), mechs: o.mechs, user: o.user, pass: o.pass}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.AllowInsecureAuth = true
	srv.TLSConfig = o.starttls
	if o.hangUp {
		ln = hangUpListener{ln}
	}
	if o.implicit != nil {
		ln = tls.NewListener(ln, o.implicit)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	// Closing the listener too stops Serve even if it had not registered it with srv yet.
	t.Cleanup(func() { ln.Close(); srv.Close(); <-done })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.received...)
}

func (s *smtpServer) transfers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dataSeen
}

func (s *smtpServer) set(f func(s *smtpServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

type backend struct{ s *smtpServer }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{s: b.s, tls: isTLS}, nil
}

type session struct {
	s        *smtpServer
	tls      bool
	user     string
	from, to string
}

func (*session) Reset()        {}
func (*session) Logout() error { return nil }

func (ss *session) AuthMechanisms() []string { return ss.s.mechs }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user != ss.s.user || pass != ss.s.pass {
			return errors.New("bad user name or password")
		}
		ss.user = user
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if len(ss.s.mechs) > 0 && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	if ss.s.mailErr != nil {
		return ss.s.mailErr
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	if ss.s.rcptErr != nil {
		return ss.s.rcptErr
	}
	ss.to = to
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	delay := ss.s.delay
	ss.s.mu.Unlock()
	time.Sleep(delay)
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.dataSeen++
	if ss.s.refuse > 0 {
		ss.s.refuse--
		if ss.s.dataErr != nil {
			return ss.s.dataErr
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	ss.s.received = append(ss.s.received, received{From: ss.from, To: ss.to, Raw: string(b), TLS: ss.tls, User: ss.user})
	return nil
}

// loginServer is the server side of AUTH LOGIN, which go-sasl no longer offers.
type loginServer struct {
	check func(user, pass string) error
	user  string
	step  int
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	l.step++
	switch l.step {
	case 1:
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(response))
	}
}

// hangUpListener's connections close as soon as the server has said it accepted a message,
// so the client's RSET and QUIT fail after a delivery that did happen.
type hangUpListener struct{ net.Listener }

func (l hangUpListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return hangUpConn{c}, err
}

type hangUpConn struct{ net.Conn }

func (c hangUpConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if bytes.Contains(b, []byte("OK: queued")) { // go-smtp's answer to an accepted DATA
		c.Conn.Close()
	}
	return n, err
}

// testCA makes a certificate for 127.0.0.1 and returns the server's TLS configuration and a
// client configuration that trusts it.
func testCA(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// parsed is a received message taken apart: decoded headers and the text of each part.
type parsed struct {
	Subject, To, ContentLanguage, AutoSubmitted string
	Text, HTML                                  string
}

func parseMessage(t *testing.T, raw string) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{Subject: subject, To: msg.Header.Get("To"), ContentLanguage: msg.Header.Get("Content-Language"),
		AutoSubmitted: msg.Header.Get("Auto-Submitted")}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mt == "text/plain" { // no HTML alternative
		p.Text = partText(t, textproto.MIMEHeader(msg.Header), msg.Body)
		return p
	}
	if mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want text/plain or multipart/alternative", mt)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = partText(t, part.Header, part)
		case "text/html":
			p.HTML = partText(t, part.Header, part)
		default:
			t.Errorf("unexpected part %s", ct)
		}
	}
	return p
}

// partText decodes a text part: UTF-8, quoted-printable or base64, line ends as \n.
func partText(t *testing.T, h textproto.MIMEHeader, r io.Reader) string {
	t.Helper()
	if _, cp, _ := mime.ParseMediaType(h.Get("Content-Type")); !strings.EqualFold(cp["charset"], "utf-8") {
		t.Errorf("part %q is not UTF-8", h.Get("Content-Type"))
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")))
}
