package store

import (
	"context"
	"crypto/tls"
	"database/sql/driver"
	"errors"
	"net"
	"syscall"

	"github.com/uptrace/bun/driver/pgdriver"
)

// aliveOrBad is run before a pooled PostgreSQL connection is used again. A connection the
// server ended while it sat idle (a restart, a failover, an administrator's
// pg_terminate_backend) still writes, and pgdriver would hand the server's goodbye to the
// query as its error; a peek at the socket finds it first, and database/sql then dials anew.
// An idle connection has nothing to read: anything there, or the end of the stream, means the
// server has gone.
func aliveOrBad(_ context.Context, cn *pgdriver.Conn) error {
	if !alive(cn.Conn()) {
		return driver.ErrBadConn
	}
	return nil
}

// alive peeks at conn's socket without blocking: false when the peer closed it or sent
// something unasked.
func alive(conn net.Conn) bool {
	if t, ok := conn.(*tls.Conn); ok {
		conn = t.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	ok = true
	err = raw.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, rerr := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n > 0, n == 0 && rerr == nil: // data unasked, or the end of the stream
			ok = false
		case rerr != nil && !errors.Is(rerr, syscall.EAGAIN) && !errors.Is(rerr, syscall.EWOULDBLOCK):
			ok = false
		}
		return true // never wait for the socket to become readable
	})
	return ok && err == nil
}
