package main

import (
	"bufio"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/inbox/mailrule"
)

func (a *app) ingestCommand() *cobra.Command {
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "ingest [--dry-run] < MAIL",
		Short: "Read one platform notification mail on standard input and record what it means",
		Long: `ingest reads one RFC 5322 mail message on standard input — from .forward,
procmail, maildrop, Postfix pipe or Sieve execute — and, when a rule
recognises it (a new order, a buyer's message, an approval, a cancellation
request, a cancellation, a rating), records that event in its talk room at
the mail's Date, through the running daemon or straight into the store. A
purchase of a room roomwatch does not know creates it. Each Message-ID is
recorded once. A mail no rule recognises is ignored (exit 0). --dry-run
prints which rule matched, the room, the event and its time, and writes
nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(false)
			if err != nil {
				return err
			}
			ruleset, err := cfg.MailRules()
			if err != nil {
				return err
			}
			now := time.Now()
			mail, match, ok, err := ruleset.Read(bufio.NewReader(cmd.InOrStdin()), time.Time{}, now)
			if err != nil {
				if errors.Is(err, mailrule.ErrNotAMail) {
					return inputError("ingest: standard input is %v; pipe one whole message (headers, a blank line, the body), e.g. roomwatch ingest < saved.eml", err)
				}
				return fmt.Errorf("ingest: reading standard input: %w", err)
			}
			if !ok {
				// Not an error: a forward rule sends every mail here, and a
				// non-zero exit would bounce the ones roomwatch has no use for.
				fmt.Fprintf(a.stdout, "ignored: no rule matches this mail (from %s, subject %s)\n", mail.From, strconv.Quote(mail.Subject))
				return nil
			}
			if dryRun {
				return a.printDryRun(match, mail, cfg, asJSON)
			}
			svc, done, err := a.service(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer done()
			recorder, ok := svc.(core.MailRecorder)
			if !ok {
				return fmt.Errorf("ingest: %T cannot record mail", svc)
			}
			res, err := recorder.RecordMail(cmd.Context(), match)
			if err != nil {
				return err
			}
			out := a.stdout
			if asJSON {
				out = a.stderr
				if err := writeJSON(a.stdout, res); err != nil {
					return err
				}
			}
			fmt.Fprintln(out, describeMailResult(res, match, cfg))
			a.printWhere(cmd.Context(), out, cfg, svc)
			return nil
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print what the mail matches and write nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the outcome as JSON")
	return cmd
}

func (a *app) printDryRun(m mailrule.Match, mail mailrule.Mail, cfg *config.Config, asJSON bool) error {
	if asJSON {
		return writeJSON(a.stdout, m)
	}
	w := a.stdout
	fmt.Fprintf(w, "rule:     %s (%s)\n", m.Rule, m.Platform)
	fmt.Fprintf(w, "room:     %s\n", m.Room)
	fmt.Fprintf(w, "event:    %s\n", m.Event)
	fmt.Fprintf(w, "at:       %s\n", localTime(m.At, cfg))
	if m.Title != "" {
		fmt.Fprintf(w, "title:    %s\n", m.Title)
	}
	if m.Buyer != "" {
		fmt.Fprintf(w, "buyer:    %s\n", m.Buyer)
	}
	if m.URL != "" {
		fmt.Fprintf(w, "url:      %s\n", m.URL)
	}
	id := m.MessageID
	if id == "" {
		id = "(none: the mail would be recorded each time it comes)"
	}
	fmt.Fprintf(w, "message:  %s\n", id)
	fmt.Fprintln(w, "dry run: nothing written")
	return nil
}

func describeMailResult(res core.MailResult, m mailrule.Match, cfg *config.Config) string {
	at := localTime(res.At, cfg)
	switch res.Outcome {
	case core.MailRecorded:
		return fmt.Sprintf("%s: %s recorded at %s (mail, rule %s)", res.Room, res.Event, at, m.Rule)
	case core.MailCreatedRoom:
		where := "in the store"
		if res.Where == "yaml" {
			where = "to " + cfg.Path
		}
		return fmt.Sprintf("%s: new room added %s, opened %s (mail, rule %s)", res.Room, where, at, m.Rule)
	case core.MailKnownRoom:
		return fmt.Sprintf("%s: already tracked; the purchase mail changes nothing", res.Room)
	case core.MailDuplicate:
		return fmt.Sprintf("%s: this mail (%s) was already recorded; nothing changed", res.Room, m.MessageID)
	case core.MailUnknownRoom:
		return fmt.Sprintf("%s: not a room roomwatch tracks; %s ignored (add the room, or let the purchase mail add it)", res.Room, res.Event)
	}
	return fmt.Sprintf("%s: %s", res.Room, res.Outcome)
}
