package web

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/convene/convene/app/access"
	"github.com/convene/convene/app/accounts"
	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/processes"
	"github.com/convene/convene/app/registration"
	"github.com/convene/convene/app/store"
	"github.com/convene/convene/app/validate"
	"github.com/convene/convene/app/web/form"
)

const pageSize = 50

// pageParam reads ?page=N (1-based) into an offset.
func pageParam(c *fiber.Ctx) (page, offset int64) {
	page, err := strconv.ParseInt(c.Query("page"), 10, 64)
	if err != nil || page < 1 {
		page = 1
	}
	return page, (page - 1) * pageSize
}

func (s *Server) adminHome(c *fiber.Ctx) error {
	a := account(c)
	if a.IsAdmin {
		list, err := processes.List(c.UserContext(), s.DB, processes.ListFilter{})
		if err != nil {
			return err
		}
		return s.page(c, fiber.StatusOK, "admin/home", "admin.title", &Page{Data: map[string]any{"Processes": list}})
	}
	held, err := access.ForAccount(c.UserContext(), s.DB, a.ID)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		return errForbidden
	}
	writing, err := minutes.Assigned(c.UserContext(), s.DB, s.Clock.Now(), a.ID)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/mine", "nav.my_processes", &Page{Data: map[string]any{"Held": held, "Minutes": writing}})
}

func (s *Server) adminAccounts(c *fiber.Ctx) error {
	q := strings.Clone(c.Query("q"))
	page, offset := pageParam(c)
	ctx := c.UserContext()
	list, total, err := accounts.List(ctx, s.DB, q, pageSize, offset)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.ID
	}
	roles, err := access.HeldBy(ctx, s.DB, ids)
	if err != nil {
		return err
	}
	// People who registered without an account are found too, by the address or name searched.
	guests, err := registration.FindGuests(ctx, s.DB, q, pageSize)
	if err != nil {
		return err
	}
	return s.page(c, fiber.StatusOK, "admin/accounts", "admin.accounts", &Page{Form: map[string]string{"q": q},
		Data: map[string]any{"Accounts": list, "Total": total, "Page": page, "More": offset+int64(len(list)) < total, "Query": q,
			"Roles": roles, "Guests": guests}})
}

// adminEraseGuest erases what is kept of an address that registered without an account, at
// the person's request (they have no account to do it from, and may have lost their links).
func (s *Server) adminEraseGuest(c *fiber.Ctx) error {
	email := strings.Clone(c.FormValue("email"))
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.erase_guest.title", BodyID: "confirm.erase_guest.body",
		ButtonID: "confirm.erase_guest.button", DangerOK: true, Hidden: map[string]string{"email": email},
		Data: map[string]any{"Email": email}, CancelURL: "/admin/accounts"}); !ok {
		return err
	}
	if err := s.Accounts.EraseAddress(c.UserContext(), s.actor(c), email); err != nil {
		return err
	}
	return s.flash(c, "admin.guest_erased", "/admin/accounts")
}

func (s *Server) adminSetAdmin(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	admin, err := strconv.ParseBool(c.FormValue("admin"))
	if err != nil {
		return validate.Errors{{Field: "admin", Code: validate.Invalid}}
	}
	who, err := accounts.ByID(c.UserContext(), s.DB, id)
	if err != nil {
		return err
	}
	verb := "remove_admin"
	if admin {
		verb = "make_admin"
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm." + verb + ".title", BodyID: "confirm." + verb + ".body",
		ButtonID: "confirm." + verb + ".button", DangerOK: !admin, Hidden: map[string]string{"admin": strconv.FormatBool(admin)},
		Data: map[string]any{"Name": who.Name, "Email": who.Email}, CancelURL: "/admin/accounts"}); !ok {
		return err
	}
	if err := s.Accounts.SetAdmin(c.UserContext(), s.actor(c), id, admin); err != nil {
		return err
	}
	return s.flash(c, "admin.account_saved", "/admin/accounts")
}

func grantableRoles() []access.Role {
	return []access.Role{access.Organiser, access.Moderator, access.Rapporteur}
}

func (s *Server) grantsOf(c *fiber.Ctx, processID int64) ([]access.GrantView, error) {
	return access.ForProcess(c.UserContext(), s.DB, processID)
}

func (s *Server) addGrant(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	f := form.Values(c, "grant_email", "grant_role")
	a, err := accounts.ByEmail(c.UserContext(), s.DB, f["grant_email"])
	switch {
	case errors.Is(err, store.ErrNotFound):
		code := validate.Required
		if strings.TrimSpace(f["grant_email"]) != "" {
			code = "error.no_such_account"
		}
		err = validate.Errors{{Field: "grant_email", Code: code}}
	case err != nil:
		return err
	default:
		err = s.Access.Grant(c.UserContext(), s.actor(c), a.ID, access.Role(f["grant_role"]), p.ID, 0)
		err = form.Prefix(err, "grant_")
	}
	if err != nil {
		d, derr := s.peopleData(c, p)
		if derr != nil {
			return derr
		}
		return s.formError(c, err, "admin/process_people", "admin.roles", f, d)
	}
	return s.flash(c, "admin.grant_added", "/admin/processes/"+p.Slug+"/people")
}

func (s *Server) revokeGrant(c *fiber.Ctx) error {
	p, err := s.processBySlug(c)
	if err != nil {
		return err
	}
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	g, err := access.ByID(c.UserContext(), s.DB, p.ID, id)
	if err != nil {
		return err
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.revoke_grant.title", BodyID: "confirm.revoke_grant.body",
		ButtonID: "confirm.revoke_grant.button", DangerOK: true, Hidden: map[string]string{},
		Data: map[string]any{"Name": g.AccountName, "Role": s.Locale.T(lang(c), "role."+string(g.Role), nil),
			"Process": p.Title.In(lang(c), p.Languages...)}, CancelURL: "/admin/processes/" + p.Slug + "/people"}); !ok {
		return err
	}
	if err := s.Access.RevokeByID(c.UserContext(), s.actor(c), p.ID, id); err != nil {
		return err
	}
	return s.flash(c, "admin.grant_revoked", "/admin/processes/"+p.Slug+"/people")
}

type apiAccount struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	IsAdmin  bool   `json:"is_admin"`
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

func (s *Server) apiMe(c *fiber.Ctx) error {
	a := account(c)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(apiAccount{ID: a.ID, Email: a.Email, Name: a.Name, IsAdmin: a.IsAdmin, Language: a.Language, TimeZone: a.TimeZone})
}

// adminExportData is an account's data, downloaded by an admin at the person's request.
func (s *Server) adminExportData(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	data, err := s.Accounts.Export(c.UserContext(), s.actor(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="convene-account-`+strconv.FormatInt(id, 10)+`.json"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(data)
}

// adminErase erases an account at the person's request, after asking the admin.
func (s *Server) adminErase(c *fiber.Ctx) error {
	id, err := form.ID(c, "id")
	if err != nil {
		return err
	}
	who, err := accounts.ByID(c.UserContext(), s.DB, id)
	if err != nil {
		return err
	}
	if ok, err := s.confirmed(c, confirmation{TitleID: "confirm.erase_account.title", BodyID: "confirm.erase_account.body",
		ButtonID: "confirm.erase_account.button", DangerOK: true, Hidden: map[string]string{},
		Data: map[string]any{"Name": who.Name, "Email": who.Email}, CancelURL: "/admin/accounts"}); !ok {
		return err
	}
	if err := s.Accounts.EraseByAdmin(c.UserContext(), s.actor(c), id); err != nil {
		return err
	}
	return s.flash(c, "admin.account_erased", "/admin/accounts")
}
