package web

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"
	qrcode "github.com/yeqown/go-qrcode/v2"
	"github.com/yeqown/go-qrcode/writer/standard"

	"github.com/convene/convene/app/calendar"
	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/registration"
)

// The participant's badge (a page to print or show on a phone, with the check-in code as
// text and as a QR code) and their personal calendar feed.

// badgeOf finds the registration of the path for its holder; only a confirmed one has a
// badge.
func (s *Server) badgeOf(c *fiber.Ctx) (regView, error) {
	id, who, _, err := s.regTarget(c)
	if err != nil {
		return regView{}, err
	}
	var r registration.Registration
	if who.Salt != "" {
		r, err = registration.ByLink(c.UserContext(), s.DB, s.Clock.Now(), who)
	} else {
		r, err = registration.OneOf(c.UserContext(), s.DB, who.AccountID, id)
	}
	if err != nil {
		return regView{}, err
	}
	if r.Status != registration.StatusConfirmed {
		return regView{}, registration.ErrBadgeNotYet
	}
	if r.Mode == registration.ModeOnline {
		return regView{}, registration.ErrNoBadge
	}
	views, err := s.regViews(c, []registration.Registration{r}, func(registration.Registration) string { return c.Path() })
	if err != nil {
		return regView{}, err
	}
	return views[0], nil
}

func (s *Server) badge(c *fiber.Ctx) error {
	v, err := s.badgeOf(c)
	if err != nil {
		return err
	}
	c.Set("Referrer-Policy", "no-referrer")
	return s.page(c, fiber.StatusOK, "registrations/badge", "registration.badge_title", &Page{Data: map[string]any{"V": v,
		"QR": c.Path() + ".png"}})
}

// nopCloser lets the QR writer write into a buffer (it closes what it writes to).
type nopCloser struct{ *bytes.Buffer }

func (nopCloser) Close() error { return nil }

// badgeQR is the check-in code as a QR code (PNG), for the door's scanner.
func (s *Server) badgeQR(c *fiber.Ctx) error {
	v, err := s.badgeOf(c)
	if err != nil {
		return err
	}
	qr, err := qrcode.NewWith(v.R.Code, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := standard.NewWithWriter(nopCloser{&buf}, standard.WithQRWidth(10), standard.WithBorderWidth(20),
		standard.WithBuiltinImageEncoder(standard.PNG_FORMAT))
	if err := qr.Save(w); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(buf.Bytes())
}

// feedPath is where an account's personal calendar feed is.
func (s *Server) feedPath(c *fiber.Ctx, accountID int64) (string, error) {
	token, err := registration.FeedOf(c.UserContext(), s.DB, s.Registration.Links, accountID)
	if err != nil {
		return "", err
	}
	return "/calendar/" + token + ".ics", nil
}

// personalFeed is an account's calendar: the sessions of every forum it holds a confirmed
// place at (a forum without sessions yet as one all-day event), refreshed by calendar apps.
func (s *Server) personalFeed(c *fiber.Ctx) error {
	ctx := c.UserContext()
	token := strings.TrimSuffix(strings.Clone(c.Params("token")), ".ics")
	accountID, err := registration.FeedAccount(ctx, s.DB, s.Registration.Links, token)
	if err != nil {
		return err
	}
	ids, err := registration.Confirmed(ctx, s.DB, accountID)
	if err != nil {
		return err
	}
	sessions, err := forums.Programme(ctx, s.DB, ids...)
	if err != nil {
		return err
	}
	held, err := registration.SessionsHeld(ctx, s.DB, accountID, ids...)
	if err != nil {
		return err
	}
	byForum := map[int64][]forums.SessionView{}
	for _, sv := range sessions {
		byForum[sv.ForumID] = append(byForum[sv.ForumID], sv)
	}
	l := feedLang(c)
	cal := calendar.Calendar{Name: s.Locale.T(l, "registration.feed_name", nil), Method: calendar.MethodPublish}
	mixed := false // forums in several zones: the calendar names none of its own
	r := s.forumReader(ctx)
	for _, id := range ids {
		// The feed holds the forums its owner is confirmed for: their links are theirs, but for
		// the rooms of sessions with places where they hold none.
		mine, err := r.context(id, true)
		if err != nil {
			return err
		}
		f := mine.Forum
		mine.Registers, mine.Holds = true, held
		cal.Events = append(cal.Events, s.forumEvents(l, mine, byForum[id])...)
		mixed = mixed || (cal.Zone != "" && cal.Zone != f.TimeZone)
		cal.Zone = f.TimeZone
		if f.UpdatedAt.After(cal.Updated) {
			cal.Updated = f.UpdatedAt
		}
	}
	switch {
	case len(ids) == 0:
		cal.Zone = "UTC" // a calendar holds at least one component: this zone's
	case mixed:
		cal.Zone = ""
	}
	return s.sendCalendar(c, "convene", true, cal)
}

// resetFeed gives the signed-in account a new feed address; the old one stops working.
func (s *Server) resetFeed(c *fiber.Ctx) error {
	ok, err := s.confirmed(c, confirmation{TitleID: "registration.feed_reset_title", BodyID: "registration.feed_reset_body",
		ButtonID: "registration.feed_reset_button", Hidden: map[string]string{}, CancelURL: "/registrations#calendar"})
	if !ok || err != nil {
		return err
	}
	if err := s.Registration.ResetFeed(c.UserContext(), account(c).ID); err != nil {
		return err
	}
	return s.flash(c, "registration.flash_feed_reset", "/registrations#calendar")
}
