package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/convene/convene/app/minutes"
	"github.com/convene/convene/app/privacy"
	"github.com/convene/convene/app/schedule"
	"github.com/convene/convene/app/web/form"
)

// routes is the one route table: every path, its handler and its guard.
func (s *Server) routes(app *fiber.App) {
	app.Use(s.requestID)
	app.Use(s.observe)
	app.Use(recover.New(recover.Config{EnableStackTrace: true}))
	app.Use(s.securityHeaders())
	app.Use(compress.New(compress.Config{Level: compress.LevelDefault}))

	// Operations and static files: no login, no CSRF, no database writes.
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metricsGate, s.metrics.Handler())
	app.Get("/static/:hash/*", s.serveStatic)
	app.Get("/favicon.ico", s.favicon)

	app.Use(smallBodies)
	app.Use(form.PlainInput)
	app.Use(s.identify)
	app.Use(s.csrfProtect)

	// Public pages; those every visitor sees alike go through the page cache.
	app.Get("/", s.cached(s.home))
	app.Get("/language/:lang", s.switchLanguage)
	app.Post("/language", s.requireAccount, s.setLanguage)
	app.Get("/processes/:slug.ics", s.cached(s.processICS))
	app.Get("/processes/:slug", s.cached(s.showProcess))
	app.Get("/processes/:slug/inputs", s.cached(s.exploreInputs))
	app.Get("/processes/:slug/open-data", s.cached(s.openDataPage))
	app.Get("/processes/:slug/dashboard", s.cached(s.showDashboard))
	app.Get("/processes/:slug/report", s.cached(s.showReport))
	app.Get("/processes/:slug/open-data.json", s.cached(s.openDataJSON))
	app.Get("/processes/:slug/inputs.csv", s.cached(s.inputsCSV))
	app.Get("/processes/:slug/minutes.md", s.cached(s.minutesReport))
	for version, schema := range minutes.Schemas() {
		app.Get("/schemas/open-data-"+version+".json", openDataSchema(schema))
	}
	app.Get("/forums/:id.ics", s.cached(s.forumICS))
	app.Get("/forums/:id/changes.atom", s.cached(s.forumChangesAtom))
	app.Get("/forums/:id/changes", s.cached(s.forumChanges))
	app.Get("/forums/:id/schedule.json", s.cached(s.scheduleExport(fiber.MIMEApplicationJSONCharsetUTF8, schedule.WriteJSON)))
	app.Get("/forums/:id/schedule.xml", s.cached(s.scheduleExport("application/xml; charset=utf-8", schedule.WriteXML)))
	app.Get("/forums/:id", s.cachedForVisitors(s.showForum))
	app.Get("/sessions/:id.ics", s.cached(s.sessionICS))
	app.Get("/sessions/:id", s.cachedForVisitors(s.showSession))
	app.Get("/sessions/:id<int>/live", s.questionsLive)

	// Live Q&A: the attendees', moderators' and projector's pages and their forms; questions
	// and votes are limited per person (account, else device), on the socket too.
	asking := s.limitBy("question", s.Config.RateQuestion, s.qaKey, s.onForm("questions/show", "", "body", []string{"body", "group", "anonymous"},
		func(c *fiber.Ctx) any { p, _, _ := s.questionsOf(c, true); return p }))
	app.Get("/sessions/:id<int>/questions", s.showQuestions)
	app.Post("/sessions/:id<int>/questions", asking, s.askQuestion)
	app.Get("/sessions/:id<int>/questions/moderate", s.requireAccount, s.moderateQuestions)
	app.Get("/sessions/:id<int>/questions/present", s.presentQuestions)
	app.Get("/sessions/:id<int>/questions/qr.png", s.questionsQR)
	app.Get("/q/:id<int>", s.joinQuestions)
	app.Get("/sessions/:id<int>/questions.csv", s.requireAccount, s.exportQuestions)
	app.Get("/sessions/:id<int>/questions.json", s.requireAccount, s.exportQuestions)
	app.Post("/sessions/:id<int>/questions/settings", s.requireAccount, s.limitBy("vote", s.Config.RateVote, s.qaKey, nil), s.configureQuestions)
	app.Post("/sessions/:id<int>/questions/:qid<int>/:action", s.limitBy("vote", s.Config.RateVote, s.qaKey, nil), s.questionAction)
	app.Get("/privacy", s.privacyNotice)

	// Minutes: published ones for everyone; the workspace for the session's rapporteurs and the
	// process's organisers; review for those who were there. Saves (drafts save as the
	// rapporteur types), proposals, answers and dispositions are limited per account.
	minuting := s.limitBy("minutes", s.Config.RateMinutes, accountKey, nil)
	app.Get("/sessions/:id<int>/minutes", s.cached(s.showMinutes))
	app.Get("/sessions/:id<int>/minutes/diff", s.cached(s.minutesDiff))
	app.Get("/sessions/:id<int>/minutes/edit", s.requireAccount, s.editMinutes)
	app.Post("/sessions/:id<int>/minutes/edit", s.requireAccount, minuting, s.saveMinutes)
	app.Get("/sessions/:id<int>/minutes/review", s.requireAccount, s.reviewMinutes)
	app.Post("/sessions/:id<int>/minutes/publish", s.requireAccount, minuting, s.publishMinutes)
	app.Post("/sessions/:id<int>/minutes/send-back", s.requireAccount, minuting, s.sendBackMinutes)
	app.Post("/sessions/:id<int>/minutes/proposals", s.requireAccount, minuting, s.proposeCorrection)
	app.Post("/sessions/:id<int>/minutes/proposals/:pid<int>", s.requireAccount, minuting, s.answerProposal)
	app.Get("/inputs/:ref", s.cached(s.showInput))
	app.Post("/inputs/:ref/disposition", s.requireAccount, minuting, s.disposeInput)

	// The public consultation on drafts: pages for everyone; comments and replies, and supports,
	// flags and marks, limited per account; moderation by the process's moderators, placing
	// comments in a new version by its organisers (both checked per comment in the domain).
	app.Get("/drafts/:id<int>", s.cachedForVisitors(s.showDraft))
	app.Get("/drafts/:id<int>/paragraphs/:n<int>", s.cachedForVisitors(s.showParagraph))
	app.Get("/drafts/:id<int>/diff", s.cachedForVisitors(s.draftDiff))
	app.Get("/drafts/:id<int>/report", s.cachedForVisitors(s.draftReport))
	app.Get("/drafts/:id<int>/report.csv", s.draftReportCSV)
	app.Get("/drafts/:id<int>/report.json", s.draftReportJSON)
	app.Get("/drafts/:id<int>/report.md", s.draftReportMarkdown)
	app.Get("/drafts/:id<int>/moderate", s.requireDraftModerator, s.moderateDraft)
	app.Post("/drafts/:id<int>/comments", s.requireAccount, s.limitBy("comment", s.Config.RateComment, accountKey, s.commentRefused), s.addComment)
	app.Post("/drafts/:id<int>/marks", s.requireAccount, s.limitBy("mark", s.Config.RateMark, accountKey, nil), s.markParagraph)
	app.Get("/drafts/:id<int>/submissions", s.cachedForVisitors(s.listSubmissions))
	app.Get("/drafts/:id<int>/submissions/new", s.requireAccount, s.submissionForm)
	app.Post("/drafts/:id<int>/submissions", s.requireAccount, s.limitBy("comment", s.Config.RateComment, accountKey, s.submissionRefused), s.submit)
	app.Get("/submissions/:id<int>", s.cachedForVisitors(s.showSubmission))
	app.Get("/submissions/:id<int>/files/:fid<int>", s.submissionFile)
	app.Post("/submissions/:id<int>/points", s.requireAccount, s.limitBy("minutes", s.Config.RateMinutes, accountKey, nil), s.addPoint)
	app.Post("/comments/:id<int>/:action", s.requireAccount, s.limitBy("mark", s.Config.RateMark, accountKey, nil), s.commentAction)

	// Registration: a forum's form, the participant's list, and a guest's page by their link.
	registering := s.limitRegistration(nil)
	app.Get("/forums/:id/register", s.registerForm)
	app.Post("/forums/:id/register", s.limitRegistration(s.registerRefused("stakeholder_group")),
		s.limitRecipient("recipient", "email", s.registerRefused("email")), s.register)
	app.Get("/sessions/:id<int>/register", s.sessionPlaces)
	app.Post("/sessions/:id<int>/register", s.requireAccount, registering, s.reserveSession)
	app.Get("/registrations", s.requireAccount, s.myRegistrations)
	app.Post("/registrations/:id<int>/cancel", s.requireAccount, registering, s.cancelRegistration)
	app.Post("/registrations/:id<int>/mode", s.requireAccount, registering, s.changeRegistrationMode)
	app.Post("/registrations/:id<int>/accept", s.requireAccount, registering, s.acceptOffer)
	app.Get("/registrations/:id<int>/badge", s.requireAccount, s.badge)
	app.Get("/registrations/:id<int>/badge.png", s.requireAccount, s.badgeQR)
	app.Post("/registrations/calendar/reset", s.requireAccount, s.resetFeed)
	app.Get("/calendar/:token", s.personalFeed)
	app.Get("/registrations/link", s.lostLinkForm)
	lostLink := s.onForm("registrations/lost_link", "registration.lost_link_title", "email", []string{"email"}, nil)
	app.Post("/registrations/link", s.limitRegistration(lostLink), s.limitBy("recipient", s.Config.RateRecipient, recipientKey("email"), lostLink), s.sendLinks)
	app.Get("/registrations/guest/:token", s.guestRegistration)
	app.Post("/registrations/guest/:token/confirm", registering, s.guestConfirm)
	app.Post("/registrations/guest/:token/cancel", registering, s.cancelRegistration)
	app.Post("/registrations/guest/:token/mode", registering, s.changeRegistrationMode)
	app.Post("/registrations/guest/:token/accept", registering, s.acceptOffer)
	app.Post("/registrations/guest/:token/erase", registering, s.guestErase)
	app.Post("/registrations/guest/:token/sessions/:sid<int>", registering, s.guestReserveSession)
	app.Get("/registrations/guest/:token/badge", s.badge)
	app.Get("/registrations/guest/:token/badge.png", s.badgeQR)

	// Invitations to a session's roles, by the link mailed to the invited address: limited as
	// the other mailed links are.
	answering := s.limit("reset", s.Config.RateReset, nil)
	app.Get("/invitations/:token", s.invitation)
	app.Post("/invitations/:token/accept", s.requireAccount, answering, s.acceptInvitation)
	app.Post("/invitations/:token/decline", answering, s.declineInvitation)

	// Accounts.
	app.Get("/signup", s.signUpForm)
	app.Post("/signup", s.limit("signup", s.Config.RateSignUp, s.onForm("accounts/signup", "signup.title", "email",
		[]string{"name", "email", "language", "privacy"}, func(*fiber.Ctx) any { return map[string]any{"PrivacyVersion": privacy.Version} })), s.signUp)
	app.Get("/verify/:token", s.verifyForm)
	app.Post("/verify/:token", s.limit("reset", s.Config.RateReset, nil), s.verifyEmail)
	app.Get("/verify", s.resendForm)
	app.Post("/verify", s.limit("reset", s.Config.RateReset, s.onForm("accounts/resend", "verify.resend_title", "email", []string{"email"}, nil)),
		s.resendVerification)
	app.Get("/signin", s.signInForm)
	app.Post("/signin", s.limit("signin", s.Config.RateSignIn, s.onForm("accounts/signin", "signin.title", "email", []string{"email", "next"}, nil)),
		s.signIn)
	app.Post("/signout", s.signOut)
	app.Get("/reset", s.resetRequestForm)
	app.Post("/reset", s.limit("reset", s.Config.RateReset, s.onForm("accounts/reset_request", "reset.title", "email", []string{"email"}, nil)),
		s.resetRequest)
	app.Get("/reset/:token", s.resetForm)
	app.Post("/reset/:token", s.limit("reset", s.Config.RateReset, s.onForm("accounts/reset", "reset.new_title", "password", nil,
		func(c *fiber.Ctx) any { return map[string]any{"Token": strings.Clone(c.Params("token"))} })), s.reset)

	me := app.Group("/profile", s.requireAccount)
	me.Get("/", s.profile)
	me.Post("/", s.updateProfile)
	me.Post("/password", s.limit("signin", s.Config.RateSignIn, s.profileRefused("current_password")), s.changePassword)
	me.Get("/data.json", s.exportData)
	me.Post("/delete", s.limit("signin", s.Config.RateSignIn, s.profileRefused("delete_password")), s.deleteAccount)
	me.Get("/advanced", s.advanced)
	me.Post("/tokens", s.createToken)
	me.Post("/tokens/:id/revoke", s.revokeToken)
	me.Post("/logins/:id/end", s.endLogin)

	// Administration: admins everywhere; organisers on the processes they run.
	admin := app.Group("/admin", s.requireAccount)
	admin.Get("/", s.adminHome) // admins: everything; others: the processes they hold a role in
	admin.Get("/accounts", s.requireAdmin, s.adminAccounts)
	admin.Post("/accounts/:id/admin", s.requireAdmin, s.adminSetAdmin)
	admin.Get("/accounts/:id/data.json", s.requireAdmin, s.adminExportData)
	admin.Post("/accounts/:id/erase", s.requireAdmin, s.adminErase)
	admin.Post("/guests/erase", s.requireAdmin, s.adminEraseGuest)
	admin.Get("/audit", s.requireAdmin, s.adminAudit)
	admin.Get("/processes/new", s.requireAdmin, s.newProcessForm)
	admin.Post("/processes", s.requireAdmin, s.createProcess)
	admin.Get("/processes/:slug", s.requireOrganiser, s.editProcessForm)
	admin.Post("/processes/:slug", s.requireOrganiser, s.updateProcess)
	admin.Get("/processes/:slug/topics", s.requireOrganiser, s.processTopics)
	admin.Post("/processes/:slug/topics", s.requireOrganiser, s.createTopic)
	admin.Get("/processes/:slug/topics/:id", s.requireOrganiser, s.editTopicForm)
	admin.Post("/processes/:slug/topics/:id", s.requireOrganiser, s.updateTopic)
	admin.Post("/processes/:slug/topics/:id/delete", s.requireOrganiser, s.deleteTopic)
	admin.Post("/processes/:slug/topics/:id/move", s.requireOrganiser, s.moveTopic)
	admin.Get("/processes/:slug/forums", s.requireOrganiser, s.processForums)
	admin.Get("/processes/:slug/questions", s.requireOrganiser, s.processQuestionWords)
	admin.Post("/processes/:slug/questions", s.requireOrganiser, s.setQuestionWords)
	admin.Get("/processes/:slug/minutes", s.requireOrganiser, s.processMinutes)
	admin.Get("/processes/:slug/drafts", s.requireOrganiser, s.processDrafts)
	admin.Post("/processes/:slug/drafts", s.requireOrganiser, s.createDraft)
	admin.Get("/drafts/:id<int>", s.requireDraftOrganiser, s.manageDraft)
	admin.Post("/drafts/:id<int>", s.requireDraftOrganiser, s.updateDraft)
	admin.Post("/drafts/:id<int>/versions", s.requireDraftOrganiser, s.publishDraftVersion)
	admin.Get("/processes/:slug/forums/new", s.requireOrganiser, s.newForumForm)
	admin.Post("/processes/:slug/forums", s.requireOrganiser, s.createForum)
	admin.Get("/forums/:id", s.requireForumOrganiser, s.manageForum)
	admin.Post("/forums/:id", s.requireForumOrganiser, s.updateForum)
	admin.Post("/forums/:id/publish", s.requireForumOrganiser, s.publishForum)
	admin.Post("/forums/:id/cancel", s.requireForumOrganiser, s.cancelForum)
	admin.Post("/forums/:id/rooms", s.requireForumOrganiser, s.addRoom)
	admin.Get("/forums/:id/sessions/new", s.requireForumOrganiser, s.newSessionForm)
	admin.Post("/forums/:id/sessions", s.requireForumOrganiser, s.createSession)
	admin.Get("/forums/:id/sessions/:sid", s.requireForumOrganiser, s.editSessionForm)
	admin.Post("/forums/:id/sessions/:sid", s.requireForumOrganiser, s.updateSession)
	admin.Post("/forums/:id/sessions/:sid/cancel", s.requireForumOrganiser, s.cancelSessionAction)
	admin.Get("/forums/:id/registration", s.requireForumOrganiser, s.registrationSettings)
	admin.Post("/forums/:id/registration", s.requireForumOrganiser, s.saveRegistrationSettings)
	admin.Get("/forums/:id/registrants.csv", s.requireForumOrganiser, s.registrantsCSV)
	admin.Get("/forums/:id/registrants", s.requireForumOrganiser, s.registrants)
	admin.Get("/forums/:id/registrants/live", s.requireForumOrganiser, s.registrantsLive)
	admin.Get("/forums/:id/registrants/message", s.requireForumOrganiser, s.messageForm)
	admin.Post("/forums/:id/registrants/message", s.requireForumOrganiser,
		s.limitBy("message", s.Config.RateMessage, accountKey, s.messageRefused), s.sendMessage)
	admin.Post("/forums/:id/registrants/:rid/:action", s.requireForumOrganiser, s.registrantAction)
	admin.Get("/forums/:id/checkin", s.requireForumOrganiser, s.checkInDesk)
	admin.Post("/forums/:id/checkin", s.requireForumOrganiser, s.checkInCode)
	admin.Post("/forums/:id/checkin/walk-in", s.requireForumOrganiser, s.walkIn)
	admin.Get("/processes/:slug/people", s.requireAdmin, s.processPeople)
	admin.Post("/processes/:slug/grants", s.requireAdmin, s.addGrant)
	admin.Post("/processes/:slug/grants/:id/revoke", s.requireAdmin, s.revokeGrant)

	// JSON API: public reads; writes with a bearer token (or a signed-in browser and CSRF).
	api := app.Group("/api/v1")
	api.Get("/openapi.json", s.openAPI)
	api.Get("/processes", s.apiListProcesses)
	api.Get("/processes/:slug", s.apiGetProcess)
	api.Get("/processes/:slug/topics", s.apiListTopics)
	api.Get("/processes/:slug/forums", s.apiListForums)
	api.Get("/forums/:id", s.apiGetForum)
	api.Get("/forums/:id/sessions", s.apiListSessions)
	api.Get("/sessions/:id", s.apiGetSession)
	api.Get("/me", s.requireAccount, s.apiMe)
	write := s.limit("api", s.Config.RateAPI, nil)
	api.Post("/processes", write, s.requireAdmin, s.apiCreateProcess)
	api.Patch("/processes/:slug", write, s.requireOrganiser, s.apiUpdateProcess)
	api.Post("/processes/:slug/topics", write, s.requireOrganiser, s.apiCreateTopic)
	api.Patch("/processes/:slug/topics/:id", write, s.requireOrganiser, s.apiUpdateTopic)
	api.Delete("/processes/:slug/topics/:id", write, s.requireOrganiser, s.apiDeleteTopic)
	api.Post("/processes/:slug/forums", write, s.requireOrganiser, s.apiCreateForum)
	api.Patch("/forums/:id", write, s.requireForumOrganiser, s.apiUpdateForum)
	api.Post("/forums/:id/publish", write, s.requireForumOrganiser, s.apiPublishForum)
	api.Post("/forums/:id/cancel", write, s.requireForumOrganiser, s.apiCancelForum)
	api.Post("/forums/:id/rooms", write, s.requireForumOrganiser, s.apiAddRoom)
	api.Post("/forums/:id/sessions", write, s.requireForumOrganiser, s.apiCreateSession)
	api.Patch("/sessions/:id", write, s.requireSessionOrganiser, s.apiUpdateSession)
	api.Post("/sessions/:id/cancel", write, s.requireSessionOrganiser, s.apiCancelSession)
	api.Get("/forums/:id/registration", s.apiRegistrationForm)
	api.Get("/forums/:id/registration/settings", s.requireForumOrganiser, s.apiRegistrationSettings)
	api.Put("/forums/:id/registration/settings", write, s.requireForumOrganiser, s.apiSetRegistrationSettings)
	// Registration changes are limited per account instead: a venue's audience shares one address.
	api.Post("/forums/:id/registrations", s.requireAccount, registering, s.apiRegister)
	api.Post("/sessions/:id/registrations", s.requireAccount, registering, s.apiRegisterSession)
	api.Get("/forums/:id/registrations", s.requireForumOrganiser, s.apiForumRegistrations)
	api.Get("/registrations", s.requireAccount, s.apiMyRegistrations)
	api.Get("/registrations/:id", s.requireAccount, s.apiGetRegistration)
	api.Patch("/registrations/:id", s.requireAccount, registering, s.apiChangeRegistration)
	api.Post("/registrations/:id/accept", s.requireAccount, registering, s.apiAcceptOffer)
	api.Delete("/registrations/:id", s.requireAccount, registering, s.apiCancelRegistration)
	// Live Q&A: reads are public; questions and votes are limited per person, as on the forms.
	api.Get("/sessions/:id/questions", s.apiListQuestions)
	api.Post("/sessions/:id/questions", s.requireAccount, s.limitBy("question", s.Config.RateQuestion, s.qaKey, nil), s.apiAskQuestion)
	api.Post("/questions/:id/votes", s.requireAccount, s.limitBy("vote", s.Config.RateVote, s.qaKey, nil), s.apiVote)
	api.Delete("/questions/:id/votes", s.requireAccount, s.limitBy("vote", s.Config.RateVote, s.qaKey, nil), s.apiVote)
	api.Post("/questions/:id/moderation", s.requireAccount, write, s.apiModerate)
	// Minutes: published ones, as the pages show them.
	api.Get("/sessions/:id/minutes", s.apiGetMinutes)
	api.Get("/processes/:slug/inputs", s.apiListInputs)
	api.Get("/inputs/:ref", s.apiGetInput)
	// The consultation on drafts: what the pages show.
	api.Get("/processes/:slug/drafts", s.apiListDrafts)
	api.Get("/drafts/:id", s.apiGetDraft)
	api.Get("/drafts/:id/comments", s.draftReportJSON)
	api.Get("/drafts/:id/submissions", s.apiDraftSubmissions)

	app.Use(func(c *fiber.Ctx) error { return errNotFound })
}
