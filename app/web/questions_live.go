package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/qa"
	"github.com/convene/convene/realtime"
)

// The live Q&A socket, /sessions/{id}/live: a snapshot (or what the client missed since the
// number it gives), then the room's events in order, and its counts; the client's frames are
// the same actions as the forms (ask, vote, unvote, report, and for moderators approve, hide,
// answer, pin, unpin, reply, label, merge, configure), each answered by its effect as an
// event, an "ok" with the client's ref, or an "error" frame with a code.

// qaDeviceCookie holds an anonymous browser's key: its questions and votes are counted under the
// key's hash, never under an account.
const qaDeviceCookie = "convene_qa"

// device is the browser's device key, given one (a year's cookie) when it has none and give
// is set.
func (s *Server) device(c *fiber.Ctx, give bool) string {
	if v := c.Cookies(s.cookieName(qaDeviceCookie)); len(v) >= 20 && len(v) <= 64 {
		return strings.Clone(v)
	}
	if !give {
		return ""
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: s.cookieName(qaDeviceCookie), Value: v, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.Config.Secure(), HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return v
}

// qaWho is the viewer as Q&A sees them.
func (s *Server) qaWho(c *fiber.Ctx, give bool) qa.Who {
	w := qa.Who{Device: s.device(c, give)}
	if a := account(c); a != nil {
		w.AccountID, w.IsAdmin, w.Name = a.ID, a.IsAdmin, a.Name
	}
	return w
}

// clientFrame is what a live client sends.
type clientFrame struct {
	Type      string   `json:"type"`
	Ref       int64    `json:"ref"`
	ID        int64    `json:"id"`
	Body      string   `json:"body"`
	Anonymous bool     `json:"anonymous"`
	Channel   string   `json:"channel"`
	Group     string   `json:"group"`
	Reason    string   `json:"reason"`
	Note      string   `json:"note"`
	Reply     string   `json:"reply"`
	Labels    []string `json:"labels"`
	Into      int64    `json:"into"`
	WhoAsks   string   `json:"who_asks"`
	Closed    bool     `json:"closed"`
}

// Frames a connection may send: a burst, then a steady pace; past it, frames are refused.
const (
	liveFrameBurst = 20
	liveFrameEvery = 100 * time.Millisecond
)

// frameBucket paces one connection's frames.
type frameBucket struct {
	mu     sync.Mutex
	tokens float64
	at     time.Time
}

func (b *frameBucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.at.IsZero() {
		b.tokens, b.at = liveFrameBurst, now
	}
	b.tokens = min(liveFrameBurst, b.tokens+float64(now.Sub(b.at))/float64(liveFrameEvery))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (s *Server) questionsLive(c *fiber.Ctx) error {
	if !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrUpgradeRequired
	}
	target, err := s.liveTargetOf(c)
	if err != nil {
		return err
	}
	who := s.qaWho(c, false)
	mod, err := s.moderatesLive(c, who, target)
	if err != nil {
		return err
	}
	since, _ := strconv.ParseUint(c.Query("since"), 10, 64)
	l := lang(c)
	login := strings.Clone(c.Cookies(s.cookieName("convene_login")))
	sessionID, processID := target.sessionID, target.processID
	return websocket.New(func(conn *websocket.Conn) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		listener, complete, err := s.Hub.Subscribe(ctx, qa.Room(sessionID), since, realtime.Who{Moderator: mod, Keys: who.Keys()})
		if err == nil && !complete {
			var snap []byte
			var seq uint64
			if snap, seq, err = qa.Snapshot(ctx, s.DB, sessionID, who); err == nil {
				listener.Start(seq, snap)
			} else {
				listener.Close()
			}
		}
		cancel()
		if err != nil {
			s.Logger.Error("live questions", "session", sessionID, "err", err)
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseInternalServerErr, ""), time.Now().Add(time.Second))
			return
		}
		var seen int64
		var allowed func(ctx context.Context) bool // an anonymous listener's right cannot change
		if who.AccountID != 0 {
			allowed = func(ctx context.Context) bool {
				// A sign-out or a change of roles moves the logins revision: the viewer is checked
				// again then, and a moderator who no longer is one is sent on to reconnect.
				revs, err := s.revisions.Read(ctx)
				if err != nil {
					return false
				}
				if revs.Logins == seen {
					return true
				}
				seen = revs.Logins
				a, _, err := s.Accounts.Authenticate(ctx, login)
				if err != nil || a.ID != who.AccountID {
					return false
				}
				still, err := qa.Moderates(ctx, s.DB, qa.Who{AccountID: a.ID, IsAdmin: a.IsAdmin}, processID, sessionID)
				return err == nil && still == mod
			}
		}
		var bucket frameBucket
		s.pump(conn, listener, allowed, func(msg []byte) {
			s.questionFrame(listener, who, sessionID, l, msg, &bucket)
		})
	}, websocket.Config{Origins: []string{s.Config.BaseURL}, HandshakeTimeout: 10 * time.Second,
		// A listener mostly waits: small read buffers, and write buffers lent from a pool only
		// while a frame is written, keep a connection's memory low at ten thousand of them.
		ReadBufferSize: 512, WriteBufferSize: 4096, WriteBufferPool: s.liveBuffers})(c)
}

// liveTarget is what a live connection needs of its session: which it is, and its process.
type liveTarget struct {
	sessionID, processID int64
	rev                  int64 // the content revision it was read under
}

// liveTargets remembers the public sessions live connections reached, for the content revision
// they were read under: ten thousand listeners coming back at once read their session once, not
// once each (the revision itself is one shared read for all waiting requests).
type liveTargets struct {
	mu   sync.Mutex
	byID map[int64]liveTarget
}

// liveTargetOf is the session of the path, if the viewer may see it; a session of a published
// forum and process is the same for everyone and comes from liveTargets while nothing changed.
func (s *Server) liveTargetOf(c *fiber.Ctx) (liveTarget, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return liveTarget{}, errNotFound
	}
	revs, err := s.readRevisions(c)
	if err != nil {
		return liveTarget{}, err
	}
	s.liveTargets.mu.Lock()
	t, ok := s.liveTargets.byID[id]
	s.liveTargets.mu.Unlock()
	if ok && t.rev == revs.Content {
		return t, nil
	}
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return liveTarget{}, err
	}
	t = liveTarget{sessionID: sv.ID, processID: fc.Process.ID, rev: revs.Content}
	if fc.Forum.Status == forums.StatusPublished && fc.Process.Status != processes.StatusDraft {
		s.liveTargets.mu.Lock()
		if len(s.liveTargets.byID) >= 10000 {
			s.liveTargets.byID = map[int64]liveTarget{}
		}
		s.liveTargets.byID[id] = t
		s.liveTargets.mu.Unlock()
	}
	return t, nil
}

// liveRoles remembers who moderates which session, for the logins revision it was read under
// (granting or taking a role moves it): signed-in listeners coming back at once ask the
// database nothing each.
type liveRoles struct {
	mu   sync.Mutex
	rev  int64
	mods map[[2]int64]bool // account, session
}

// moderatesLive tells whether who moderates the target session, from liveRoles when it can.
func (s *Server) moderatesLive(c *fiber.Ctx, who qa.Who, t liveTarget) (bool, error) {
	if who.AccountID == 0 {
		return false, nil
	}
	revs, err := s.readRevisions(c)
	if err != nil {
		return false, err
	}
	key := [2]int64{who.AccountID, t.sessionID}
	s.liveRoles.mu.Lock()
	if s.liveRoles.rev != revs.Logins || len(s.liveRoles.mods) >= 100000 {
		s.liveRoles.rev, s.liveRoles.mods = revs.Logins, map[[2]int64]bool{}
	}
	mod, ok := s.liveRoles.mods[key]
	s.liveRoles.mu.Unlock()
	if ok {
		return mod, nil
	}
	if mod, err = qa.Moderates(c.UserContext(), s.DB, who, t.processID, t.sessionID); err != nil {
		return false, err
	}
	s.liveRoles.mu.Lock()
	if s.liveRoles.rev == revs.Logins {
		s.liveRoles.mods[key] = mod
	}
	s.liveRoles.mu.Unlock()
	return mod, nil
}

// questionFrame carries out one client frame and answers it on the listener.
func (s *Server) questionFrame(l *realtime.Listener, who qa.Who, sessionID int64, lang string, msg []byte, bucket *frameBucket) {
	var f clientFrame
	if err := json.Unmarshal(msg, &f); err != nil {
		s.sendFrame(l, map[string]any{"type": "error", "code": "bad_request", "message": s.Locale.T(lang, "error.bad_json", nil)})
		return
	}
	if !bucket.take(time.Now()) {
		s.sendError(l, lang, f.Ref, errTooMany)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var q qa.Question
	var err error
	key := qaFrameKey(who)
	switch f.Type {
	case "ask":
		if err := s.hit(ctx, "question", s.Config.RateQuestion, key); err != nil {
			s.sendError(l, lang, f.Ref, err)
			return
		}
		q, err = s.QA.Ask(ctx, who, sessionID, qa.AskInput{Body: f.Body, Anonymous: f.Anonymous, Channel: f.Channel, Group: f.Group})
	case "vote", "unvote", "report":
		if err := s.hit(ctx, "vote", s.Config.RateVote, key); err != nil {
			s.sendError(l, lang, f.Ref, err)
			return
		}
		if q, err = s.questionOfSession(ctx, f.ID, sessionID); err == nil {
			switch f.Type {
			case "vote":
				q, err = s.QA.Vote(ctx, who, f.ID)
			case "unvote":
				q, err = s.QA.Unvote(ctx, who, f.ID)
			default:
				q, err = s.QA.Report(ctx, who, f.ID)
			}
		}
	case qa.Approve, qa.Hide, qa.Answer, qa.Pin, qa.Unpin, qa.Reply, qa.Label, qa.Merge, "restore":
		kind := f.Type
		if kind == "restore" {
			kind = qa.Approve
		}
		if q, err = s.questionOfSession(ctx, f.ID, sessionID); err == nil {
			q, err = s.QA.Moderate(ctx, who, f.ID, qa.Moderation{Kind: kind, Reason: f.Reason, Note: f.Note, Reply: f.Reply, Labels: f.Labels, Into: f.Into})
		}
	case "configure", "close", "open":
		in := qa.SettingsInput{WhoAsks: f.WhoAsks, Anonymous: f.Anonymous, Closed: f.Closed || f.Type == "close"}
		if f.Type != "configure" {
			st, serr := qa.SettingsOf(ctx, s.DB, sessionID)
			if serr != nil {
				err = serr
				break
			}
			in = qa.SettingsInput{WhoAsks: st.WhoAsks, Anonymous: st.Anonymous, Closed: f.Type == "close"}
		}
		_, err = s.QA.Configure(ctx, who, sessionID, in)
	default:
		s.sendFrame(l, map[string]any{"type": "error", "ref": f.Ref, "code": "unknown_type", "message": s.Locale.T(lang, "error.bad_request", nil)})
		return
	}
	if err != nil {
		s.sendError(l, lang, f.Ref, err)
		return
	}
	s.sendFrame(l, map[string]any{"type": "ok", "ref": f.Ref, "id": q.ID})
}

// qaFrameKey is the key a socket's questions and votes are limited by, as qaKey does for forms.
func qaFrameKey(who qa.Who) string {
	if who.AccountID != 0 {
		return "a" + strconv.FormatInt(who.AccountID, 10)
	}
	return qa.DeviceKey(who.Device)
}

// questionOfSession checks that question id is one of the session's (a socket acts on its own
// session only).
func (s *Server) questionOfSession(ctx context.Context, id, sessionID int64) (qa.Question, error) {
	var q qa.Question
	if err := s.DB.NewSelect().Model(&q).Where("q.id = ? AND q.session_id = ?", id, sessionID).Scan(ctx); err != nil {
		return q, errNotFound
	}
	return q, nil
}

func (s *Server) sendFrame(l *realtime.Listener, v any) {
	b, err := json.Marshal(v)
	if err == nil {
		l.Send(b)
	}
}

// sendError answers a refused frame with its code and message, as the API would.
func (s *Server) sendError(l *realtime.Listener, lang string, ref int64, err error) {
	f := classify(err)
	if f.status >= 500 {
		s.Logger.Error("a live question frame failed", "err", err)
	}
	out := map[string]any{"type": "error", "ref": ref, "code": f.code, "message": s.message(lang, f)}
	if len(f.fields) > 0 {
		out["field"], out["message"] = f.fields[0].Field, fieldMessage(s.Locale, lang, f.fields[0])
	}
	s.sendFrame(l, out)
}
