// Command onramp-ferretdb runs FerretDB v1 as an embedded,
// MongoDB-wire-compatible server for development and tests: on its
// PostgreSQL backend when given -postgresql-url, else on SQLite.
//
// The FerretDB CLI cannot be installed with `go install` (its generated
// version file is not part of the module), so onramp builds this small main
// around FerretDB's embeddable package instead.
//
// Once listening it prints one JSON line to stdout: {"uri":"mongodb://..."}.
// It stops cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	dataDir := flag.String("data-dir", "", "directory for the SQLite databases (required without -postgresql-url)")
	postgresqlURL := flag.String("postgresql-url", "", "PostgreSQL connection string; selects the postgresql handler")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	flag.Parse()

	cfg := ferretdb.Config{Listener: ferretdb.ListenerConfig{TCP: *listen}}
	if *postgresqlURL != "" {
		cfg.Handler = "postgresql"
		cfg.PostgreSQLURL = *postgresqlURL
	} else {
		if *dataDir == "" {
			fail("-data-dir or -postgresql-url is required")
		}
		abs, err := filepath.Abs(*dataDir)
		if err != nil {
			fail(err.Error())
		}
		if err := os.MkdirAll(abs, 0o700); err != nil {
			fail(err.Error())
		}
		cfg.Handler = "sqlite"
		cfg.SQLiteURL = "file:" + abs + "/"
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("bad -log-level: " + err.Error())
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	cfg.Logger = logger
	logger.Info("onramp-ferretdb starting", "handler", cfg.Handler)

	f, err := ferretdb.New(&cfg)
	if err != nil {
		fail(err.Error())
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := f.Run(ctx); err != nil {
			logger.Error("ferretdb stopped", "error", err)
		}
	}()

	line, _ := json.Marshal(map[string]string{"uri": f.MongoDBURI(), "handler": cfg.Handler})
	fmt.Println(string(line))

	<-done
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "onramp-ferretdb:", msg)
	os.Exit(2)
}
