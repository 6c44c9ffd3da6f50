// Package discordcheck checks a Discord webhook payload against Discord's
// documented limits, as Discord itself would before answering 400 Invalid
// Form Body. Tests use it as a strict stand-in for Discord: a payload it
// accepts, Discord accepts. It keeps its own copy of the limits, from
// Discord's documentation, so that it checks the notifier rather than
// repeating it.
package discordcheck

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"
)

// Limits of a webhook execution
// (discord.com/developers/docs/resources/message#embed-object-embed-limits).
const (
	MaxEmbeds      = 10
	MaxEmbedTotal  = 6000
	MaxTitle       = 256
	MaxDescription = 4096
	MaxFields      = 25
	MaxFieldName   = 256
	MaxFieldValue  = 1024
	MaxFooter      = 2048
	MaxAuthorName  = 256
	MaxContent     = 2000
)

type payload struct {
	Content string `json:"content"`
	Embeds  []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		Footer      *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Author *struct {
			Name string `json:"name"`
		} `json:"author"`
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
}

// Check lists every limit raw breaks, counting characters in UTF-16 code
// units, the strictest reading; none means Discord accepts it. It also
// wants allowed_mentions to allow nothing, which roomwatch always sends.
func Check(raw []byte) []string {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if p.AllowedMentions == nil || p.AllowedMentions.Parse == nil || len(p.AllowedMentions.Parse) != 0 {
		bad("allowed_mentions.parse must be []")
	}
	if p.Content == "" && len(p.Embeds) == 0 {
		bad("Cannot send an empty message")
	}
	if n := units(p.Content); n > MaxContent {
		bad("content: %d > %d", n, MaxContent)
	}
	if len(p.Embeds) > MaxEmbeds {
		bad("%d embeds > %d", len(p.Embeds), MaxEmbeds)
	}
	total := 0
	for i, e := range p.Embeds {
		check := func(what, s string, limit int) {
			total += units(s)
			if units(s) > limit {
				bad("embeds.%d.%s: %d > %d", i, what, units(s), limit)
			}
		}
		check("title", e.Title, MaxTitle)
		check("description", e.Description, MaxDescription)
		if e.Footer != nil {
			check("footer.text", e.Footer.Text, MaxFooter)
		}
		if e.Author != nil {
			check("author.name", e.Author.Name, MaxAuthorName)
		}
		if len(e.Fields) > MaxFields {
			bad("embeds.%d: %d fields > %d", i, len(e.Fields), MaxFields)
		}
		for j, f := range e.Fields {
			check(fmt.Sprintf("fields.%d.name", j), f.Name, MaxFieldName)
			check(fmt.Sprintf("fields.%d.value", j), f.Value, MaxFieldValue)
		}
	}
	if total > MaxEmbedTotal {
		bad("embeds: %d characters > %d", total, MaxEmbedTotal)
	}
	return problems
}

func units(s string) int {
	n := 0
	for _, r := range s {
		if k := utf16.RuneLen(r); k > 0 {
			n += k
		} else {
			n++
		}
	}
	return n
}
