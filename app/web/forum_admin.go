package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/forums"
	"github.com/convene/convene/app/locale"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/web/form"
)

// The organiser's pages for forums: the process's forums tab, a new forum, and each forum's
// page (details, status, rooms, sessions).

// localForum is where requireForumOrganiser leaves the forum it checked.
const (
	localForum   = "forum"
	localSession = "session"
)

// requireForumOrganiser lets through admins and the organisers of the process of the forum in
// the path (:id). A draft is not there for anyone else.
func (s *Server) requireForumOrganiser(c *fiber.Ctx) error {
	if account(c) == nil {
		return s.requireAccount(c)
	}
	fc, err := s.forumOf(c)
	if err != nil {
		return err
	}
	if !fc.Runs {
		return errForbidden
	}
	c.Locals(localForum, fc)
	return c.Next()
}

func adminForum(c *fiber.Ctx) *forumContext { return c.Locals(localForum).(*forumContext) }

// requireSessionOrganiser lets through the organisers of the process of the session :id (and
// admins), with the session and its forum in the request's locals (adminSession): others get
// 401, 403, or 404 for a draft they may not see.
func (s *Server) requireSessionOrganiser(c *fiber.Ctx) error {
	if account(c) == nil {
		return s.requireAccount(c)
	}
	sv, fc, err := s.sessionOf(c)
	if err != nil {
		return err
	}
	if !fc.Runs {
		return errForbidden
	}
	c.Locals(localForum, fc)
	c.Locals(localSession, sv)
	return c.Next()
}

// adminSession is the session (and its forum) requireSessionOrganiser let through.
func adminSession(c *fiber.Ctx) (forums.SessionView, *forumContext) {
	return c.Locals(localSession).(forums.SessionView), adminForum(c)
}

func forumInputFromForm(c *fiber.Ctx) (forums.Input, map[string]string) {
	f := form.Values(c, "slug", "format", "venue_name", "venue_address", "map_url", "online_url", "time_zone", "starts_on", "ends_on")
	return forums.Input{Slug: f["slug"], Format: f["format"], VenueName: f["venue_name"], VenueAddress: f["venue_address"],
		MapURL: f["map_url"], OnlineURL: f["online_url"], TimeZone: f["time_zone"], StartsOn: f["starts_on"], EndsOn: f["ends_on"],
		Title: form.Translated(c, "title", f), Description: form.Translated(c, "description", f), Accessibility: form.Translated(c, "accessibility", f)}, f
}

func forumForm(in forums.Input) map[string]string {
	f := map[string]string{"slug": in.Slug, "format": in.Format, "venue_name": in.VenueName, "venue_address": in.VenueAddress,
		"map_url": in.MapURL, "online_url": in.OnlineURL, "time_zone": in.TimeZone, "starts_on": in.StartsOn, "ends_on": in.EndsOn}
	for _, l := range locale.Supported() {
		f["title."+l], f["description."+l], f["accessibility."+l] = in.Title[l], in.Description[l], in.Accessibility[l]
	}
	return f
}

// processForums is the forums tab of a process's admin pages.
func (s *Server) processForums(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	list, err := forums.List(c.UserContext(), s.DB, p.ID, false)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/process_forums", "admin.forums", &Page{Data: map[string]any{"Process": p, "Forums": list}})
}

func (s *Server) forumFormData(p processes.Process, fc *forumContext) map[string]any {
	return map[string]any{"Process": p, "F": fc, "Formats": forums.Formats(), "Languages": p.Languages, "Zones": pickerZones()}
}

func (s *Server) newForumForm(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	f := map[string]string{"format": forums.FormatInPerson, "time_zone": p.TimeZone}
	return s.page(c, fiber.StatusOK, "admin/forum_new", "admin.forum_new", &Page{Form: f, Data: s.forumFormData(p, nil)})
}

func (s *Server) createForum(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	in, f := forumInputFromForm(c)
	created, err := s.Forums.Create(c.UserContext(), s.actor(c), p.ID, in)
	if err != nil {
		return s.formError(c, err, "admin/forum_new", "admin.forum_new", f, s.forumFormData(p, nil))
	}
	return s.flash(c, "admin.forum_created", "/admin/forums/"+strconv.FormatInt(created.ID, 10))
}

// forumAdminData is what a forum's admin page shows besides its form.
func (s *Server) forumAdminData(c *fiber.Ctx, fc *forumContext) (map[string]any, error) {
	rooms, err := forums.Rooms(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	sessions, err := forums.Programme(c.UserContext(), s.DB, fc.Forum.ID)
	if err != nil {
		return nil, err
	}
	d := s.forumFormData(fc.Process, fc)
	d["Rooms"], d["Sessions"] = rooms, sessions
	if !fc.Registers {
		return d, nil
	}
	counts, err := registration.CountsOf(c.UserContext(), s.DB, fc.Forum.ID, nil, 0)
	d["Registration"] = &counts
	return d, err
}

// manageForum is a forum's admin page.
func (s *Server) manageForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	d, err := s.forumAdminData(c, fc)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/forum", "", &Page{Title: fc.Forum.Title.In(lang(c), fc.Process.Languages...),
		Form: forumForm(fc.Forum.Input()), Data: d})
}

func (s *Server) updateForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	in, f := forumInputFromForm(c)
	if _, err := s.Forums.Update(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, in); err != nil {
		d, derr := s.forumAdminData(c, fc)
		if derr != nil {
			return derr
		}
		return s.formError(c, err, "admin/forum", "admin.forum_edit", f, d)
	}
	return s.flash(c, "admin.forum_saved", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10))
}

func (s *Server) publishForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	if _, err := s.Forums.Publish(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID); err != nil {
		return err
	}
	return s.flash(c, "admin.forum_published", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10))
}

func (s *Server) cancelForum(c *fiber.Ctx) error {
	fc := adminForum(c)
	back := "/admin/forums/" + strconv.FormatInt(fc.Forum.ID, 10)
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.forum_cancel.title", BodyID: "confirm.forum_cancel.body",
		ButtonID: "confirm.forum_cancel.button", DangerOK: true, Hidden: map[string]string{},
		Data:      map[string]any{"Forum": fc.Forum.Title.In(lang(c), fc.Process.Languages...)},
		CancelURL: back}); !ok {
		return err
	}
	if _, err := s.Forums.Cancel(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID); err != nil {
		return err
	}
	return s.flash(c, "admin.forum_cancelled", back)
}

func (s *Server) addRoom(c *fiber.Ctx) error {
	fc := adminForum(c)
	f := form.Values(c, "room_name", "room_capacity")
	capacity := 0
	if v := strings.TrimSpace(f["room_capacity"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // the rule names the field
		}
		capacity = n
	}
	if _, err := s.Forums.AddRoom(c.UserContext(), s.actor(c), fc.Process.ID, fc.Forum.ID, f["room_name"], capacity); err != nil {
		d, derr := s.forumAdminData(c, fc)
		if derr != nil {
			return derr
		}
		full := forumForm(fc.Forum.Input())
		full["room_name"], full["room_capacity"] = f["room_name"], f["room_capacity"]
		return s.formError(c, err, "admin/forum", "admin.forum_edit", full, d)
	}
	return s.flash(c, "admin.room_added", "/admin/forums/"+strconv.FormatInt(fc.Forum.ID, 10)+"#rooms")
}
