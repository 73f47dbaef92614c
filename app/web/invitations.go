package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/forums"
)

// An invitation to a session's role, by the link mailed to the invited address: the page says
// what the role is and that accepting puts the person's name on the programme; accepting needs
// an account (the role is the account's), declining only the link.

// invitationOf reads the invitation of the path's token with its session and forum.
func (s *Server) invitationOf(c *fiber.Ctx) (access.Invitation, forums.SessionView, *forumContext, error) {
	ctx := c.UserContext()
	inv, err := access.ByToken(ctx, s.DB, s.Clock.Now(), strings.Clone(c.Params("token")), false)
	if err != nil {
		return inv, forums.SessionView{}, nil, err
	}
	sv, err := forums.SessionByID(ctx, s.DB, inv.SessionID)
	if err != nil {
		return inv, sv, nil, err
	}
	fc, err := s.forumReader(ctx).context(sv.ForumID, false)
	return inv, sv, fc, err
}

func (s *Server) invitation(c *fiber.Ctx) error {
	inv, sv, fc, err := s.invitationOf(c)
	if err != nil {
		return err
	}
	noCache(c)
	c.Set("Referrer-Policy", "no-referrer") // the address holds the link's token
	l := lang(c)
	return s.page(c, fiber.StatusOK, "invitations/show", "invitation.title", &Page{Data: map[string]any{
		"Inv": inv, "S": sv, "F": fc, "Path": c.Path(),
		"Session": sv.Title.In(l, fc.Process.Languages...), "Forum": fc.Forum.Title.In(l, fc.Process.Languages...),
		"When": sv.StartsAt.In(fc.Zone).Format("2006-01-02 15:04") + " (" + fc.Forum.TimeZone + ")"}})
}

func (s *Server) acceptInvitation(c *fiber.Ctx) error {
	inv, err := s.Access.Accept(c.UserContext(), strings.Clone(c.Params("token")), account(c).ID)
	if err != nil {
		return err
	}
	return s.flash(c, "invitation.accepted", fmt.Sprintf("/sessions/%d", inv.SessionID))
}

func (s *Server) declineInvitation(c *fiber.Ctx) error {
	if _, err := s.Access.Decline(c.UserContext(), strings.Clone(c.Params("token"))); err != nil {
		return err
	}
	return s.flash(c, "invitation.declined", "/")
}
