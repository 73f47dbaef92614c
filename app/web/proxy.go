package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/netip"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Who is asking, as far as the network tells: the client address behind trusted proxies, and
// the request id.

// clientIP is the address the request came from. X-Forwarded-For counts only when the direct
// peer is a trusted proxy; then the right-most address that is not a trusted proxy is the
// client (left-most entries are whatever the client chose to send).
func (s *Server) clientIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP().String()
	if !s.trusted(peer) {
		return peer
	}
	hops := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		if _, err := netip.ParseAddr(h); err != nil {
			break
		}
		if !s.trusted(h) {
			return strings.Clone(h) // c.Get's bytes are reused after the request
		}
	}
	return peer
}

// clientNetwork is what rate limits count a client by: its address, or an IPv6 address's /64,
// which one host or one home is given whole (counting each address would let it walk around
// any limit).
func (s *Server) clientNetwork(c *fiber.Ctx) string {
	ip := s.clientIP(c)
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range s.proxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// requestIDRE is what a request id taken from a trusted proxy must look like: short and plain,
// since it is logged and written with every audit entry.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestID names the request for the logs and the audit trail: the X-Request-ID of a trusted
// proxy when it is well formed, else a new random one. (Fiber's requestid middleware takes the
// header from anyone, unchecked.)
func (s *Server) requestID(c *fiber.Ctx) error {
	rid := ""
	if h := c.Get(fiber.HeaderXRequestID); h != "" && s.trusted(c.Context().RemoteIP().String()) && requestIDRE.MatchString(h) {
		rid = strings.Clone(h)
	}
	if rid == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		rid = hex.EncodeToString(b)
	}
	c.Locals(localRequestID, rid)
	c.Set(fiber.HeaderXRequestID, rid)
	return c.Next()
}
