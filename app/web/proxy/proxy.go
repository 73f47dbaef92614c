// Package proxy says who is asking, as far as the network tells: the client address behind
// the trusted proxies of CONVENE_TRUSTED_PROXIES, and the network rate limits count it by.
package proxy

import (
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Trust is the proxies whose X-Forwarded-For counts.
type Trust []netip.Prefix

// ClientIP is the address the request came from. X-Forwarded-For counts only when the direct
// peer is a trusted proxy; then the right-most address that is not a trusted proxy is the
// client (left-most entries are whatever the client chose to send).
func (t Trust) ClientIP(c *fiber.Ctx) string {
	peer := c.Context().RemoteIP().String()
	if !t.Trusted(peer) {
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
		if !t.Trusted(h) {
			return strings.Clone(h) // c.Get's bytes are reused after the request
		}
	}
	return peer
}

// Network is what rate limits count a client by: its address, or an IPv6 address's /64,
// which one host or one home is given whole (counting each address would let it walk around
// any limit).
func (t Trust) Network(c *fiber.Ctx) string {
	ip := t.ClientIP(c)
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// Trusted tells whether ip is one of the proxies.
func (t Trust) Trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range t {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}
