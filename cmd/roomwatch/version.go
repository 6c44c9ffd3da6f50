package main

import (
	"fmt"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"
)

// Stamped at release time by GoReleaser (.goreleaser.yaml) and `make`:
//
//	-X main.version=1.2.3 -X main.commit=abc1234 -X main.date=2026-12-05T22:00:00Z
//
// A binary built without them (go install, go build) fills what it can from
// the module and VCS information Go records in every binary.
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildInfo is what `roomwatch version` prints, the daemon logs first and
// GET /v1/status carries in its Roomwatch-Version header.
type buildInfo struct {
	Version   string    `json:"version"`
	Commit    string    `json:"commit"`
	Date      time.Time `json:"date,omitzero"`
	GoVersion string    `json:"go"`
	Modified  bool      `json:"modified,omitempty"`
}

// currentBuild reads the ldflags, then the binary's own build record.
func currentBuild() buildInfo {
	b := buildInfo{Version: version, Commit: commit}
	b.Date, _ = time.Parse(time.RFC3339, date)
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b.withDefaults()
	}
	b.GoVersion = bi.GoVersion
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version // go install …@v1.2.3
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			if b.Date.IsZero() {
				b.Date, _ = time.Parse(time.RFC3339, s.Value)
			}
		case "vcs.modified":
			// Only trusted when the commit is the one VCS recorded.
			b.Modified = s.Value == "true" && commit == ""
		}
	}
	return b.withDefaults()
}

func (b buildInfo) withDefaults() buildInfo {
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}

// String is the one line: "roomwatch 1.2.3 (commit abc1234, built 2026-12-05T22:00:00Z, go1.26.8)".
func (b buildInfo) String() string {
	commit := b.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if b.Modified {
		commit += "+modified"
	}
	built := "unknown"
	if !b.Date.IsZero() {
		built = b.Date.UTC().Format(time.RFC3339)
	}
	return fmt.Sprintf("roomwatch %s (commit %s, built %s, %s)", b.Version, commit, built, b.GoVersion)
}

func (a *app) versionCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, build date and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			b := currentBuild()
			if asJSON {
				return writeJSON(a.stdout, b)
			}
			fmt.Fprintln(a.stdout, b.String())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {version, commit, date, go} as JSON")
	return cmd
}
