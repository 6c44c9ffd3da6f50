// Package console writes alerts as plain text, one block per message: the
// notifier used when no other is configured, and handy under journald.
package console

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/roomwatch/roomwatch/notifier"
	"github.com/roomwatch/roomwatch/notifier/message"
)

// Options configures a console notifier.
type Options struct {
	Name     string    // default "console"
	Writer   io.Writer // default os.Stdout
	Language string
	Location *time.Location
}

// Notifier writes alerts to a writer.
type Notifier struct {
	opts Options
	mu   sync.Mutex // one message's block is never interleaved with another's
}

var _ notifier.Notifier = (*Notifier)(nil)

// New builds a console notifier.
func New(opts Options) *Notifier {
	if opts.Name == "" {
		opts.Name = "console"
	}
	if opts.Writer == nil {
		opts.Writer = os.Stdout
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	return &Notifier{opts: opts}
}

// Name is the notifier's name in routes and logs.
func (n *Notifier) Name() string { return n.opts.Name }

const rule = "────────────────────────────────────────"

// Send writes m as one block. It fails only when the writer does, and a
// writer that failed once (a closed pipe) will not recover by itself.
func (n *Notifier) Send(ctx context.Context, m notifier.Message) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("console: %w", err)
	}
	rendered := message.RenderMessage(m, n.opts.Language, n.opts.Location)
	var b strings.Builder
	b.WriteString(rule + "\n")
	b.WriteString(rendered.PlainText())
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.opts.Writer, b.String()); err != nil {
		return false, fmt.Errorf("console: %w", err)
	}
	return false, nil
}
