package main

import (
	"context"
	"flag"

	"github.com/gofiber/fiber/v2"
)

// hello serves the Fiber hello-world the benchmarks compare Convene with, until ctx ends.
func hello(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hello", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:9000", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString("Hello, World!") })
	// The registration benchmark's baseline: a POST answered at once.
	app.Post("/", func(c *fiber.Ctx) error { return c.Status(fiber.StatusCreated).SendString(`{"status":"confirmed"}`) })
	go func() {
		<-ctx.Done()
		_ = app.Shutdown()
	}()
	return app.Listen(*addr)
}
