package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	core "github.com/roomwatch/roomwatch/app"
	"github.com/roomwatch/roomwatch/config"
	"github.com/roomwatch/roomwatch/notifier/message"
	"github.com/roomwatch/roomwatch/rules"
)

// The seller's words: the terms block, the ready-to-send texts and the
// buyer's record.

func (a *app) termsCommand() *cobra.Command {
	var lang, platform string
	cmd := &cobra.Command{
		Use:   "terms",
		Short: "Print your terms (購入にあたってのお願い) written from the policy's windows",
		Long: `terms prints the block to paste into your listing's 購入にあたってのお願い
(and into a quote before the buyer pays): when you cancel before delivery,
when you close after delivery, that extra work is paid (おひねり) before
delivery, and the optional lines and your own lines of the terms: section.
Every figure comes from the policy roomwatch keeps, so your terms and your
alerts say the same thing. A line whose rule is none is left out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig(true)
			if err != nil {
				return err
			}
			if lang == "" {
				lang = cfg.Language
			}
			if lang != message.Japanese && lang != message.English {
				return inputError("--lang: unknown language %q: use ja or en", lang)
			}
			if platform != "" {
				if _, ok := cfg.Profiles[platform]; !ok {
					return inputError("--platform: unknown platform %q", platform)
				}
			}
			block := cfg.TermsFor(lang, platform)
			fmt.Fprintln(a.stdout, block)
			if chars, tooLong := message.TermsTooLong(block, cfg.Terms); tooLong {
				fmt.Fprintf(a.stderr, "roomwatch: warning: the terms have %d characters, more than terms.max_chars %d\n", chars, cfg.Terms.MaxChars)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&lang, "lang", "", "language: ja or en (default: the configured language)")
	cmd.Flags().StringVar(&platform, "platform", "", "platform profile (default: the configured platform)")
	return cmd
}

func (a *app) messageCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "message ROOM [KIND]",
		Short: "Print the ready-to-send text of a room's alert, to paste into the talk room",
		Long: `message prints the text roomwatch offers for a room's most urgent live
alert whose action is to write to the buyer, or for the alert of KIND
(first-message, check-in, cancel-risk, cancel-request, delivery-due once
late, may-cancel, eligible-to-close, extra-payment, send-terms). Only the
text goes to standard output, so it can be piped to the clipboard.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var kind rules.Kind
			if len(args) == 2 {
				kind = rules.Kind(args[1])
				if !kind.Valid() {
					return inputError("unknown alert kind %q", args[1])
				}
				if !message.HasReply(kind) {
					return inputError("a %s alert has no text to send: its action is not to write to the buyer", kind)
				}
			}
			return a.withService(cmd, true, func(cfg *config.Config, svc core.Service) error {
				rooms, err := svc.Status(cmd.Context(), core.StatusRequest{Room: args[0]})
				if err != nil {
					return err
				}
				var texts []core.AlertView
				for _, v := range rooms[0].Alerts {
					if v.Reply != "" {
						texts = append(texts, v)
					}
				}
				pick, others := pickReply(texts, kind)
				if pick == nil {
					return inputError("%s", noReply(args[0], kind, texts))
				}
				fmt.Fprintln(a.stdout, pick.Reply)
				if len(others) > 0 {
					fmt.Fprintf(a.stderr, "roomwatch: also ready: %s (roomwatch message %s KIND)\n", strings.Join(others, ", "), args[0])
				}
				return nil
			})
		},
	}
}

// pickReply chooses the alert of kind, or the most urgent (Status sorts
// them so), and names the others.
func pickReply(texts []core.AlertView, kind rules.Kind) (*core.AlertView, []string) {
	var pick *core.AlertView
	var others []string
	for i := range texts {
		if pick == nil && (kind == "" || texts[i].Kind == kind) {
			pick = &texts[i]
			continue
		}
		others = append(others, string(texts[i].Kind))
	}
	return pick, others
}

func noReply(room string, kind rules.Kind, texts []core.AlertView) string {
	if kind == "" {
		return fmt.Sprintf("room %s has no live alert that asks you to write to the buyer", room)
	}
	if len(texts) == 0 {
		return fmt.Sprintf("room %s has no live %s alert, nor any other that asks you to write", room, kind)
	}
	live := make([]string, len(texts))
	for i, v := range texts {
		live[i] = string(v.Kind)
	}
	return fmt.Sprintf("room %s has no live %s alert; ready: %s", room, kind, strings.Join(live, ", "))
}

func (a *app) buyerCommand() *cobra.Command {
	var platform string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "buyer NAME",
		Short: "Show a buyer's record with you: rooms, cancellations, time to approval, your note",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withService(cmd, true, func(cfg *config.Config, svc core.Service) error {
				rec, err := svc.Buyer(cmd.Context(), core.BuyerRequest{Buyer: args[0], Platform: platform})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, rec)
				}
				printBuyer(a, rec, cfg.Language)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&platform, "platform", "", "platform profile (default: the configured platform)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func printBuyer(a *app, rec core.BuyerRecordView, lang string) {
	w := &message.For(lang).CLI
	fmt.Fprintf(a.stdout, "%s (%s)\n", message.OneLine(rec.Buyer), rec.Platform)
	fmt.Fprintln(a.stdout, rec.Summary)
	if len(rec.Rooms) > 0 {
		fmt.Fprintf(a.stdout, "%s: %s\n", w.BuyerRooms, strings.Join(rec.Rooms, ", "))
	}
	if rec.Note != "" {
		fmt.Fprintf(a.stdout, "%s: %s\n", w.BuyerNote, message.OneLine(rec.Note))
	}
	if rec.Decline {
		fmt.Fprintln(a.stdout, w.BuyerDecline)
	}
}

// printRecordLines adds the buyer's record (and the seller's note) under
// a room's history; nothing for a buyer not seen before.
func printRecordLines(w io.Writer, rec *core.BuyerRecordView, lang string) {
	if rec == nil {
		return
	}
	fmt.Fprintf(w, "\n%s\n", rec.Summary)
	if rec.Note != "" {
		fmt.Fprintf(w, "%s: %s\n", message.For(lang).CLI.BuyerNote, message.OneLine(rec.Note))
	}
}
