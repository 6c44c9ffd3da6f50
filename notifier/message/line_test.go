package message

import (
	"testing"
	"time"

	"github.com/roomwatch/roomwatch/rules"
)

func TestHeadline(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	alert := func(kind rules.Kind, sev rules.Severity, deadline time.Time) Alert {
		return Alert{Now: now, Step: rules.Step{Alert: rules.Alert{Kind: kind, Severity: sev, Deadline: deadline}, Severity: sev}}
	}
	for _, tt := range []struct {
		a    Alert
		lang string
		want string
	}{
		{alert(rules.CancelRisk, rules.Critical, now.Add(3*time.Hour)), "ja", "緊急・残り3時間"},
		{alert(rules.CancelRisk, rules.Critical, now.Add(3*time.Hour)), "en", "critical · 3h left"},
		{alert(rules.DeliveryDue, rules.Critical, now.Add(-2*time.Hour)), "ja", "緊急・2時間超過"},
		{alert(rules.MayCancel, rules.Info, now.Add(-72*time.Hour)), "en", "info · 3d ago"},
		{Alert{Step: rules.Step{Severity: rules.Warning}}, "ja", "注意"},
	} {
		if got := Headline(tt.a, tt.lang); got != tt.want {
			t.Errorf("Headline(%s, %s) = %q, want %q", tt.a.Step.Kind, tt.lang, got, tt.want)
		}
	}
}
