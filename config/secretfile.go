package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxSecretFile bounds what a _file may hold; credentials are short, and a
// mistyped path must not pull a large file into memory.
const maxSecretFile = 64 << 10

// secret reads key, or its key_file twin, of the mapping f; owner names the
// mapping in InlineSecrets ("notifiers.phone", "control"). written reports
// whether the secret is set, or was meant to be and failed (already
// reported), so callers do not add a "missing" error on top of the real one.
func (p *parser) secret(f fields, key, owner string) (s Secret, written bool) {
	inline, hasInline := f.get(key)
	file, hasFile := f.get(key + "_file")
	switch {
	case hasInline && hasFile:
		p.errorf(file.keyNode, "set %s or %s_file, not both", key, key)
		return Secret{}, true
	case hasInline:
		value, ok := p.text(inline)
		if !ok {
			return Secret{}, true
		}
		if value == "" {
			// "token: ${TOKEN}" with TOKEN empty sets nothing.
			return Secret{}, false
		}
		if !strings.Contains(rawText(inline.val), "${") {
			p.inline = append(p.inline, owner+"."+key)
		}
		return Secret{value: value}, true
	case hasFile:
		name, ok := p.text(file)
		if !ok {
			return Secret{}, true
		}
		if name == "" {
			p.errorf(file.val, "%s is empty: name the file holding the %s", file.key, key)
			return Secret{}, true
		}
		value, err := p.readSecretFile(name)
		if err != nil {
			p.errorf(file.val, "%s: %v", file.key, err)
			return Secret{}, true
		}
		return Secret{value: value}, true
	}
	return Secret{}, false
}

// readSecretFile reads a credential file. A bare name is looked up first in
// $CREDENTIALS_DIRECTORY, where systemd's LoadCredential= puts it, then
// beside the config file; other relative paths resolve against the config's
// folder.
func (p *parser) readSecretFile(name string) (string, error) {
	var candidates []string
	if credDir, ok := p.lookupEnv("CREDENTIALS_DIRECTORY"); ok && credDir != "" && isBareName(name) {
		candidates = append(candidates, filepath.Join(credDir, name))
	}
	candidates = append(candidates, p.path(name))
	for _, path := range candidates {
		value, err := readSmallFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return value, err
	}
	return "", fmt.Errorf("secret file not found (looked at %s)", strings.Join(candidates, ", "))
}

func isBareName(name string) bool {
	return name != "." && name != ".." && !strings.ContainsRune(name, '/') && !strings.ContainsRune(name, filepath.Separator)
}

// readSmallFile reads a regular file of at most maxSecretFile bytes without
// its trailing newline. The mode is checked before opening, since opening a
// FIFO would block.
func readSmallFile(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("%s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d KiB; is it the right file?", path, maxSecretFile>>10)
	}
	value := strings.TrimRight(string(data), "\r\n")
	if value == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return value, nil
}
