// Package realtime numbers the events of live rooms and delivers them, in order and once, to
// the listeners of every instance. The database is the truth: an action takes the room's next
// number and writes the event's frames in its own transaction (Append); after commit the hub
// delivers them here and the broker tells the other instances the number only, and each reads
// what it has not seen from live_events, once per instance. Listeners that reconnect are served
// from the hub's memory or, past it, from live_events. Vote-like counts travel apart: coalesced
// per room, unnumbered. It knows nothing of Q&A rules.
package realtime

import (
	"bytes"
	"strconv"
)

// Draft is an event as an action makes it, before it has a number. Frames are JSON objects
// without "seq"; Append numbers them.
type Draft struct {
	// Public is what every listener sees; nil when only moderators and the owner may.
	Public []byte
	// Full is what moderators and the owner see; nil when it is Public.
	Full []byte
	// Owner is the listener key (an account's, or an anonymous device's) that sees Full besides
	// moderators: the asker of a question still pending.
	Owner string
}

// Event is a numbered event, its frames ready to send.
type Event struct {
	Room   string
	Seq    uint64
	Public []byte // nil: listeners who may not see Full get a gap frame
	Full   []byte // nil: the same as Public
	Owner  string
}

// Who is a listener as delivery sees it: moderators get every event's full frame; others the
// public one, or the full one of events they own.
type Who struct {
	Moderator bool
	Keys      []string // the listener's own keys ("a:12", "d:<device>")
}

// frameFor is what w is sent of e: its full frame, its public one, or, when it may see
// neither, a frame that carries the number alone (so every listener sees every number, and a
// lost event would show as a gap).
func (e Event) frameFor(w Who) []byte {
	full := e.Full
	if full == nil {
		full = e.Public
	}
	if w.Moderator {
		return full
	}
	if e.Owner != "" {
		for _, k := range w.Keys {
			if k == e.Owner {
				return full
			}
		}
	}
	if e.Public != nil {
		return e.Public
	}
	return gapFrame(e.Seq)
}

// gapFrame is the frame of a number whose event this listener may not see.
func gapFrame(seq uint64) []byte {
	return append(strconv.AppendUint([]byte(`{"seq":`), seq, 10), `,"type":"none"}`...)
}

// numbered puts "seq":N first into a JSON object.
func numbered(frame []byte, seq uint64) []byte {
	if frame == nil {
		return nil
	}
	frame = bytes.TrimSpace(frame)
	out := make([]byte, 0, len(frame)+24)
	out = strconv.AppendUint(append(out, `{"seq":`...), seq, 10)
	if rest := bytes.TrimSpace(frame[1:]); len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, frame[1:]...)
}
