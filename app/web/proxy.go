package web

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// requestIDRE is what a request id taken from a trusted proxy must look like: short and plain,
// since it is logged and written with every audit entry.
var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// requestID names the request for the logs and the audit trail: the X-Request-ID of a trusted
// proxy when it is well formed, else a new random one. (Fiber's requestid middleware takes the
// header from anyone, unchecked.)
func (s *Server) requestID(c *fiber.Ctx) error {
	rid := ""
	if h := c.Get(fiber.HeaderXRequestID); h != "" && s.proxies.Trusted(c.Context().RemoteIP().String()) && requestIDRE.MatchString(h) {
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
