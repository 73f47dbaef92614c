package cache

import "strings"

// ETagMatches tells whether an If-None-Match header names etag; comparison is weak (RFC 9110
// §13.1.2), as a compressed and a plain copy of one body share it.
func ETagMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, e := range strings.Split(header, ",") {
		e = strings.TrimPrefix(strings.TrimSpace(e), "W/")
		if e == etag || e == "*" {
			return true
		}
	}
	return false
}
