package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Find returns the config file to use (DESIGN §4): the --config flag, then
// $ROOMWATCH_CONFIG, then the first existing of ./roomwatch.yaml,
// $XDG_CONFIG_HOME/roomwatch/config.yaml (default ~/.config) and
// /etc/roomwatch/config.yaml. A file named by the flag or the variable must
// exist: falling back to another file would silently run the wrong config.
func Find(flag string) (string, error) {
	if flag != "" {
		return existing(flag, "--config")
	}
	if env := os.Getenv("ROOMWATCH_CONFIG"); env != "" {
		return existing(env, "$ROOMWATCH_CONFIG")
	}
	tried := []string{"--config (not given)", "$ROOMWATCH_CONFIG (not set)"}
	for _, path := range searchPath() {
		if isFile(path) {
			return filepath.Abs(path)
		}
		tried = append(tried, path)
	}
	return "", fmt.Errorf("config: no config file found; tried %s", strings.Join(tried, ", "))
}

// Shadowed lists the config files that exist further down the search path
// than the one Find chose for flag, when $ROOMWATCH_CONFIG or
// ./roomwatch.yaml chose it: a service started elsewhere most likely runs
// on one of them, so a command reading the chosen file may not be talking
// about the service's rooms and store at all. A file named by --config is
// an explicit choice and shadows nothing; so is the user's own config over
// the system one.
func Shadowed(flag, chosen string) []string {
	if flag != "" || chosen == "" {
		return nil
	}
	search := searchPath()
	rest := search[1:] // below ./roomwatch.yaml
	if os.Getenv("ROOMWATCH_CONFIG") != "" {
		rest = search
	} else if !sameFile(chosen, search[0]) {
		return nil // chosen further down: nothing it hides counts
	}
	var out []string
	for _, path := range rest {
		if isFile(path) && !sameFile(path, chosen) {
			out = append(out, path)
		}
	}
	return out
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}

func sameFile(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

// searchPath lists the default places, in order.
func searchPath() []string {
	paths := []string{"roomwatch.yaml"}
	if wd, err := os.Getwd(); err == nil {
		paths[0] = filepath.Join(wd, "roomwatch.yaml")
	}
	// The XDG spec says a relative $XDG_CONFIG_HOME is invalid and ignored.
	if xdg := os.Getenv("XDG_CONFIG_HOME"); filepath.IsAbs(xdg) {
		paths = append(paths, filepath.Join(xdg, "roomwatch", "config.yaml"))
	} else if home, err := os.UserHomeDir(); err == nil {
		paths = append(paths, filepath.Join(home, ".config", "roomwatch", "config.yaml"))
	}
	return append(paths, "/etc/roomwatch/config.yaml")
}

func existing(path, source string) (string, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("config: %s names %s, which does not exist", source, path)
	case err != nil:
		return "", fmt.Errorf("config: %s: %w", source, err)
	case info.IsDir():
		return "", fmt.Errorf("config: %s names %s, which is a directory", source, path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	return abs, nil
}
