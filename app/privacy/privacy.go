// Package privacy holds the privacy notice's version (aviso de privacidad). The notice's text is
// in the catalogs (privacy.* in frontend/locales), one text per language; whoever changes the
// text changes Version too, so that what each person accepted can be told apart.
package privacy

// Version is the current notice's version: the day it takes effect (2026-12-07: what commenting on
// a draft publishes and keeps).
const Version = "2026-12-07"
