// Package frontend embeds what the browser sees: page templates, static files and the message
// catalogs, so the binary needs nothing beside it.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed templates static locales
var files embed.FS

// Templates holds the html/template files, one folder per capability.
func Templates() fs.FS { return sub("templates") }

// Static holds CSS, JavaScript and images, served under content-hashed URLs.
func Static() fs.FS { return sub("static") }

// Locales holds the message catalogs: locales/<lang>/*.toml.
func Locales() fs.FS { return sub("locales") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic("frontend: embedded folder missing: " + dir)
	}
	return f
}
